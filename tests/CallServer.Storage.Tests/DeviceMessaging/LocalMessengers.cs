using CallServer.Adapters.DeviceMessaging;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CallServer.Storage.Tests.DeviceMessaging;

/// <summary>A node's <see cref="LocalDeviceMessenger"/> over a test hub context.</summary>
public static class LocalMessengers
{
    public static LocalDeviceMessenger For(IHubContext<CallHub> hub, LocalConnections? connections = null, TimeSpan? sendTimeout = null) =>
        new(
            hub,
            connections ?? new LocalConnections(),
            Options.Create(new LimitsOptions { DeviceSendTimeout = sendTimeout ?? TimeSpan.FromSeconds(5) }),
            NullLogger<LocalDeviceMessenger>.Instance);
}
