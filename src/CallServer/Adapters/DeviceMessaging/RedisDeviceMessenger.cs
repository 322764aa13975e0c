using System.Collections.Concurrent;
using CallServer.Adapters.Redis;
using CallServer.Application;
using CallServer.Cluster;
using CallServer.Hubs;
using CallServer.Ports;

namespace CallServer.Adapters.DeviceMessaging;

/// <summary>
/// Delivers an event to a device on this node directly, or publishes it on the channel of the node that
/// holds the device. One publisher awaits each publish in turn, and each node reads its channel in order,
/// so a call's events reach a device once and in order.
/// </summary>
public sealed class RedisDeviceMessenger(
    LocalDeviceMessenger localMessenger,
    LocalConnections local,
    RedisConnection redis,
    RedisKeys keys,
    NodeIdentity node) : IDeviceMessenger
{
    private const int MaxCachedDevices = 100_000;

    private readonly ConcurrentDictionary<string, string> nodesOfDevices = new(StringComparer.Ordinal);

    public async Task SendAsync(string deviceId, string method, object?[] arguments, CancellationToken cancellationToken = default)
    {
        if (local.Contains(deviceId))
        {
            await localMessenger.SendAsync(deviceId, method, arguments, cancellationToken);
            return;
        }

        await redis.Guard(async () =>
        {
            var nodeId = await NodeOfAsync(deviceId);
            if (nodeId is null || nodeId == node.Id)
            {
                return;
            }

            await redis.Subscriber.PublishAsync(keys.NodeChannel(nodeId), new NodeMessage(deviceId, method, arguments).ToUtf8(HubJson.Options));
        });
    }

    /// <summary>
    /// The node holding a device. A connection never changes node, so a found answer is kept (a device
    /// that went away costs one message its node drops); the cache is emptied when it grows large.
    /// </summary>
    private async Task<string?> NodeOfAsync(string deviceId)
    {
        if (nodesOfDevices.TryGetValue(deviceId, out var cached))
        {
            return cached;
        }

        var nodeId = (string?)await redis.Database.HashGetAsync(keys.DeviceNodes, deviceId);
        if (nodeId is not null)
        {
            if (nodesOfDevices.Count >= MaxCachedDevices)
            {
                nodesOfDevices.Clear();
            }

            nodesOfDevices[deviceId] = nodeId;
        }

        return nodeId;
    }
}
