using CallServer.Adapters.Calls;
using CallServer.Adapters.Outbox;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace CallServer.Storage.Tests.Outbox;

/// <summary>The outbox's contract on a Redis Cluster of three primaries (issue 19): a stream per topic and shard, read shard by shard.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterOutboxTests : OutboxContract, IDisposable
{
    private readonly RedisScope redis;

    public ClusterOutboxTests(RedisClusterServer cluster)
    {
        redis = new RedisScope(cluster);
        Store = new RedisCallStore(redis.Connect(), redis.Keys, Options.Create(new CallsOptions()));
        Outbox = new RedisOutbox(redis.Connect(), redis.Keys);
        OtherNode = new RedisOutbox(redis.Connect(), redis.Keys);
    }

    protected override TimeSpan ClaimAfter => TimeSpan.FromMilliseconds(300);

    protected override ICallStore Store { get; }

    protected override IOutbox Outbox { get; }

    protected override IOutbox OtherNode { get; }

    protected override Task LetClaimPeriodPassAsync() => Task.Delay(ClaimAfter + TimeSpan.FromMilliseconds(100));

    public void Dispose() => redis.Dispose();
}
