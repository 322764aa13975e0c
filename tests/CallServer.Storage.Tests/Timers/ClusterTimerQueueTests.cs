using CallServer.Adapters.Timers;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;

namespace CallServer.Storage.Tests.Timers;

/// <summary>The timer queue's contract on a Redis Cluster of three primaries (issue 19): one claim script per shard, earliest first overall.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterTimerQueueTests : TimerQueueContract, IDisposable
{
    private readonly RedisScope redis;

    public ClusterTimerQueueTests(RedisClusterServer cluster)
    {
        redis = new RedisScope(cluster, o => o.TimerClaimLease = TimeSpan.FromMilliseconds(200));
        Queue = new RedisTimerQueue(redis.Connect(), redis.Keys, redis.Options);
        OtherNode = new RedisTimerQueue(redis.Connect(), redis.Keys, redis.Options);
    }

    protected override ITimerQueue Queue { get; }

    protected override ITimerQueue OtherNode { get; }

    public void Dispose() => redis.Dispose();
}
