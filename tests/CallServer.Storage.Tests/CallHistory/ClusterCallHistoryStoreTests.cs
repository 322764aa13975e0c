using CallServer.Adapters.CallHistory;
using CallServer.History;
using CallServer.Ports;
using CallServer.Storage.Tests.Infrastructure;

namespace CallServer.Storage.Tests.CallHistory;

/// <summary>The call history's contract on a Redis Cluster of three primaries (issue 19): an account's two keys share its shard's slot.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterCallHistoryStoreTests : CallHistoryStoreContract, IDisposable
{
    private readonly RedisScope redis;

    public ClusterCallHistoryStoreTests(RedisClusterServer cluster)
    {
        redis = new RedisScope(cluster);
        Store = new RedisCallHistoryStore(redis.Connect(), redis.Keys);
        OtherNode = new RedisCallHistoryStore(redis.Connect(), redis.Keys);
    }

    protected override ICallHistoryStore Store { get; }

    protected override ICallHistoryStore OtherNode { get; }

    public void Dispose() => redis.Dispose();
}
