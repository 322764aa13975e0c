using CallServer.Application;
using CallServer.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Adapters.DeviceMessaging;

/// <summary>Delivers an event to a connection of this node.</summary>
public sealed class HubDeviceMessenger(IHubContext<CallHub> hub) : IDeviceMessenger
{
    public Task SendAsync(string deviceId, string method, object?[] arguments, CancellationToken cancellationToken = default) =>
        hub.Clients.Client(deviceId).SendCoreAsync(method, arguments, cancellationToken);
}
