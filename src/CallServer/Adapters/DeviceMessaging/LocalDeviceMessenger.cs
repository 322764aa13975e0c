using CallServer.Application;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Hubs;
using CallServer.Observability.Logging;
using CallServer.Ports;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CallServer.Adapters.DeviceMessaging;

/// <summary>
/// Delivers an event to a connection of this node, waiting at most <see cref="LimitsOptions.DeviceSendTimeout"/>:
/// a device that stops reading is closed (it reconnects and resumes) instead of holding up whatever
/// delivers after it. The one adapter of one node, and the last step of every cross-node delivery.
/// </summary>
public sealed class LocalDeviceMessenger(
    IHubContext<CallHub> hub,
    LocalConnections connections,
    IOptions<LimitsOptions> limits,
    ILogger<LocalDeviceMessenger> logger) : IDeviceMessenger
{
    private readonly TimeSpan timeout = limits.Value.DeviceSendTimeout;

    public async Task SendAsync(string deviceId, string method, object?[] arguments, CancellationToken cancellationToken = default)
    {
        try
        {
            await hub.Clients.Client(deviceId).SendCoreAsync(method, arguments, cancellationToken).WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            HubLog.DeviceTooSlow(logger, deviceId, method, timeout.TotalMilliseconds);
            connections.Abort(deviceId);
        }
    }
}
