namespace CallServer.Ports;

/// <summary>Sends a hub event to one device (connection), wherever it is connected.</summary>
public interface IDeviceMessenger
{
    Task SendAsync(string deviceId, string method, object?[] arguments, CancellationToken cancellationToken = default);
}
