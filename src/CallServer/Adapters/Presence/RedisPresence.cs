using CallServer.Adapters.Redis;
using CallServer.Cluster;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;

namespace CallServer.Adapters.Presence;

/// <summary>
/// Presence shared by the nodes: per account, its devices and the node each is on; per node, its devices
/// (so a dead node's can be reaped). Devices on a node whose heartbeat stopped do not count.
/// </summary>
public sealed class RedisPresence(RedisConnection redis, RedisKeys keys, NodeIdentity node) : IPresence
{
    // KEYS[1] the account's presence; ARGV: device, node, the most devices the account may have. One key, so one
    // slot on a Redis Cluster: the device-to-node map and the node's device set are written around it.
    private const string AddScript = """
        if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) and redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Adds a device of this node, unless the account has <paramref name="maxDevices"/> (devices of nodes not yet
    /// reaped count too). The node's device set is written first, so that whatever is left if this node dies
    /// half-way is reaped with it; a refused device leaves it again.
    /// </summary>
    public Task<bool> AddAsync(Address account, string deviceId, int maxDevices = int.MaxValue, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var database = redis.Database;
            var member = NodeDevice.Format(deviceId, account.Value);
            await database.SetAddAsync(keys.NodeDevices(node.Id), member);
            if ((int)await database.ScriptEvaluateAsync(AddScript, [keys.Presence(account.Value)], [deviceId, node.Id, maxDevices]) != 1)
            {
                await database.SetRemoveAsync(keys.NodeDevices(node.Id), member);
                return false;
            }

            await database.HashSetAsync(keys.DeviceNodes, deviceId, node.Id);
            return true;
        });

    /// <summary>Writes a local device to Redis (again, after Redis lost its data).</summary>
    public Task RegisterAsync(string account, string deviceId) => redis.Guard(async () =>
    {
        var database = redis.Database;
        await Task.WhenAll(
            database.HashSetAsync(keys.Presence(account), deviceId, node.Id),
            database.HashSetAsync(keys.DeviceNodes, deviceId, node.Id),
            database.SetAddAsync(keys.NodeDevices(node.Id), NodeDevice.Format(deviceId, account)));
    });

    public Task RemoveAsync(Address account, string deviceId, CancellationToken cancellationToken = default) =>
        RemoveAsync(account.Value, deviceId, node.Id);

    /// <summary>Forgets a device of any node (used when reaping a dead node).</summary>
    public Task RemoveAsync(string account, string deviceId, string nodeId) => redis.Guard(async () =>
    {
        var database = redis.Database;
        await Task.WhenAll(
            database.HashDeleteAsync(keys.Presence(account), deviceId),
            database.HashDeleteAsync(keys.DeviceNodes, deviceId),
            database.SetRemoveAsync(keys.NodeDevices(nodeId), NodeDevice.Format(deviceId, account)));
    });

    public Task<IReadOnlyList<string>> GetDevicesAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<string>>(async () =>
        {
            var database = redis.Database;
            var entries = await database.HashGetAllAsync(keys.Presence(account.Value));
            var nodes = entries.Select(e => (string)e.Value!).Distinct(StringComparer.Ordinal).ToList();
            var alive = await Task.WhenAll(nodes.Select(n => n == node.Id ? Task.FromResult(true) : database.KeyExistsAsync(keys.NodeAlive(n))));
            var liveNodes = nodes.Where((_, i) => alive[i]).ToHashSet(StringComparer.Ordinal);
            return entries.Where(e => liveNodes.Contains((string)e.Value!)).Select(e => (string)e.Name!).ToList();
        });
}
