using CallServer.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Redis;

/// <summary>Every key and channel name CallServer uses in Redis (see docs/operations.md).</summary>
public sealed class RedisKeys(IOptions<RedisOptions> options)
{
    private readonly string prefix = options.Value.KeyPrefix;

    public RedisKey Call(string callId) => prefix + "call:" + callId;

    public RedisKey CallsOf(string account) => prefix + "account:" + account + ":calls";

    public RedisKey User(string address) => prefix + "user:" + address;

    public RedisKey Users => prefix + "users";

    public RedisKey Presence(string account) => prefix + "presence:" + account;

    public RedisKey DeviceNodes => prefix + "device-nodes";

    public RedisKey Nodes => prefix + "nodes";

    public RedisKey NodeAlive(string nodeId) => prefix + "node:" + nodeId + ":alive";

    public RedisKey NodeReaping(string nodeId) => prefix + "node:" + nodeId + ":reaping";

    public RedisKey NodeReaped(string nodeId) => prefix + "node:" + nodeId + ":reaped";

    public RedisKey NodeDevices(string nodeId) => prefix + "node:" + nodeId + ":devices";

    public RedisKey Timers => prefix + "timers";

    public RedisKey ClaimedTimers => prefix + "timers:claimed";

    public RedisChannel NodeChannel(string nodeId) => RedisChannel.Literal(prefix + "node:" + nodeId);
}
