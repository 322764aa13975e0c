using CallServer.Adapters.Presence;
using CallServer.Cluster;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;

namespace CallServer.Storage.Tests.Presence;

/// <summary>The presence contract on a Redis Cluster of three primaries (issue 19): every step is on one key.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterPresenceTests : PresenceContract, IDisposable
{
    private readonly RedisScope redis;

    public ClusterPresenceTests(RedisClusterServer cluster)
    {
        redis = new RedisScope(cluster);
        Presence = new RedisPresence(redis.Connect(), redis.Keys, new NodeIdentity());
    }

    protected override IPresence Presence { get; }

    public void Dispose() => redis.Dispose();
}
