using CallServer.Configuration;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Redis;

/// <summary>
/// After a save that ends a call, waits until <see cref="RedisOptions.ReplicasToAcknowledgeEnd"/> replicas of the
/// primary that holds the call have it (Redis <c>WAIT</c>, on that primary: on a cluster, the one of the call's slot),
/// at most <see cref="RedisOptions.ReplicaWaitTimeout"/>. Replication is asynchronous: without the wait, a primary that
/// dies right after an end can leave a replica that still has the call in progress, though both parties were told it
/// ended. A wait that times out is logged and counted, and the save stands (it is on the primary).
/// </summary>
public sealed class RedisReplicaWait(RedisConnection redis, IOptions<RedisOptions> options, CallServerMetrics metrics, ILogger<RedisReplicaWait> logger)
{
    public bool Enabled => options.Value.ReplicasToAcknowledgeEnd > 0;

    /// <summary>Waits for the replicas of <paramref name="callKey"/>'s primary; returns how many acknowledged.</summary>
    public async Task<long> AfterEndAsync(string callId, RedisKey callKey)
    {
        var wanted = options.Value.ReplicasToAcknowledgeEnd;
        var timeout = (long)options.Value.ReplicaWaitTimeout.TotalMilliseconds;
        var primary = redis.Multiplexer.GetServer(callKey);
        var acknowledged = (long)await redis.Guard(() => primary.ExecuteAsync("WAIT", wanted, timeout));
        var enough = acknowledged >= wanted;
        metrics.ReplicaWait(enough ? "acknowledged" : "timeout");
        if (!enough)
        {
            RedisLog.EndNotReplicated(logger, callId, acknowledged, wanted, timeout);
        }

        return acknowledged;
    }
}
