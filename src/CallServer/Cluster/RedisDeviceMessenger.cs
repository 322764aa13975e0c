using System.Text.Json;
using CallServer.Application;
using CallServer.Hubs;
using CallServer.Storage.Redis;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Cluster;

/// <summary>
/// Delivers an event to a device on this node directly, or publishes it on the channel of the node that
/// holds the device. One publisher awaits each publish in turn, and each node reads its channel in order,
/// so a call's events reach a device once and in order.
/// </summary>
public sealed class RedisDeviceMessenger(
    IHubContext<CallHub> hub,
    LocalDevices local,
    RedisConnection redis,
    RedisKeys keys,
    NodeIdentity node) : IDeviceMessenger
{
    public async Task SendAsync(string deviceId, string method, object?[] arguments, CancellationToken cancellationToken = default)
    {
        if (local.Contains(deviceId))
        {
            await hub.Clients.Client(deviceId).SendCoreAsync(method, arguments, cancellationToken);
            return;
        }

        await RedisConnection.Guard(async () =>
        {
            var nodeId = (string?)await redis.Database.HashGetAsync(keys.DeviceNodes, deviceId);
            if (nodeId is null || nodeId == node.Id)
            {
                return;
            }

            var message = new NodeMessage(deviceId, method, arguments.Select(a => JsonSerializer.SerializeToElement(a, HubJson.Options)).ToArray());
            await redis.Subscriber.PublishAsync(keys.NodeChannel(nodeId), JsonSerializer.Serialize(message, HubJson.Options));
        });
    }
}
