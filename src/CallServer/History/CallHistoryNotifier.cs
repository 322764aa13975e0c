using CallServer.Application;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Ports;

namespace CallServer.History;

/// <summary>
/// Tells every connected device of an account that its call history changed (<see cref="HubEvents.CallHistoryChanged"/>),
/// wherever each is connected. Best effort: a device it cannot reach is logged, never retried; the history
/// itself is right whatever becomes of the event, and a device that missed it reads the history when it comes back.
/// </summary>
public sealed class CallHistoryNotifier(IPresence presence, IDeviceMessenger messenger, ILogger<CallHistoryNotifier> logger)
{
    public async Task NotifyAsync(Address account, CallHistoryChanged change, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> devices;
        try
        {
            devices = await presence.GetDevicesAsync(account, cancellationToken);
        }
        catch (Exception unreachable) when (unreachable is not OperationCanceledException)
        {
            HistoryLog.ChangeNotSent(logger, change.CallId, change.Change, "(any)", account.Value, unreachable.Message);
            return;
        }

        await Task.WhenAll(devices.Select(device => SendAsync(account, device, change, cancellationToken)));
    }

    private async Task SendAsync(Address account, string deviceId, CallHistoryChanged change, CancellationToken cancellationToken)
    {
        try
        {
            await messenger.SendAsync(deviceId, HubEvents.CallHistoryChanged, [change], cancellationToken);
        }
        catch (Exception failed) when (failed is not OperationCanceledException)
        {
            HistoryLog.ChangeNotSent(logger, change.CallId, change.Change, deviceId, account.Value, failed.Message);
        }
    }
}
