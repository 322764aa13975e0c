using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Timers;

/// <summary>
/// Timers in a sorted set per shard (<see cref="RedisShards"/>: a call's timers sit with the call), scored by due time. A Lua script moves due entries to a claimed set with a
/// lease, atomically, so one node claims each; entries whose lease ran out (their node died before
/// completing them) go back to the due set and are claimed again.
/// </summary>
public sealed class RedisTimerQueue(RedisConnection redis, RedisKeys keys, IOptions<RedisOptions> options) : ITimerQueue
{
    // KEYS: pairs of (due, claimed) sets, one pair per shard; ARGV: now (ms), max, lease end (ms), the Redis time
    // (ms) after which the claim must not be made, its sender having given up ('0': none; see
    // RedisConnection.WriteDeadline): a claim that reaches a stalled Redis late would otherwise hold its timers
    // for a whole lease.
    private const string ClaimScript = """
        if ARGV[4] ~= '0' then
          local time = redis.call('TIME')
          if tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) > tonumber(ARGV[4]) then return {} end
        end
        local claimed = {}
        local left = tonumber(ARGV[2])
        for pair = 1, #KEYS, 2 do
          if left <= 0 then break end
          local dueKey, claimedKey = KEYS[pair], KEYS[pair + 1]
          local expired = redis.call('ZRANGEBYSCORE', claimedKey, '-inf', ARGV[1], 'LIMIT', 0, left)
          for _, member in ipairs(expired) do
            redis.call('ZREM', claimedKey, member)
            redis.call('ZADD', dueKey, ARGV[1], member)
          end
          local due = redis.call('ZRANGEBYSCORE', dueKey, '-inf', ARGV[1], 'LIMIT', 0, left)
          for _, member in ipairs(due) do
            redis.call('ZREM', dueKey, member)
            redis.call('ZADD', claimedKey, ARGV[3], member)
            claimed[#claimed + 1] = member
          end
          left = left - #due
        end
        return claimed
        """;

    private static readonly int[] AllShards = [.. Enumerable.Range(0, RedisShards.Count)];

    public Task ScheduleAsync(DueTimer timer, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.SortedSetAddAsync(keys.Timers(RedisShards.Of(timer.CallId)), Member(timer), timer.Request.DueAt.ToUnixTimeMilliseconds()));

    /// <summary>
    /// Claims due timers of every shard: in one script on a single Redis, one script per shard on a Cluster
    /// (a script touches one slot there), sent together.
    /// </summary>
    public Task<IReadOnlyList<DueTimer>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<DueTimer>>(async () =>
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            var leaseEnd = nowMs + (long)options.Value.TimerClaimLease.TotalMilliseconds;
            RedisValue[] arguments = [Number(nowMs), Number(max), Number(leaseEnd), redis.WriteDeadline()];
            var database = redis.Database;
            var groups = redis.IsCluster ? AllShards.Select(shard => new[] { shard }) : [AllShards];
            var results = await Task.WhenAll(groups.Select(shards => database.ScriptEvaluateAsync(
                ClaimScript,
                [.. shards.SelectMany(shard => new[] { keys.Timers(shard), keys.ClaimedTimers(shard) })],
                arguments)));
            return results.SelectMany(result => (RedisResult[])result!).Select(r => Parse((string)r!)).ToList();
        });

    public Task CompleteAsync(DueTimer timer, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.SortedSetRemoveAsync(keys.ClaimedTimers(RedisShards.Of(timer.CallId)), Member(timer)));

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>callId|kind|dueMs|token</c>: the same timer always gives the same member.</summary>
    public static string Member(DueTimer timer) =>
        string.Join('|', timer.CallId, timer.Request.Kind, timer.Request.DueAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), timer.Request.Token);

    private static DueTimer Parse(string member)
    {
        var parts = member.Split('|', 4);
        return new DueTimer(
            parts[0],
            new TimerRequest(
                Enum.Parse<CallTimerKind>(parts[1]),
                parts[3],
                DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(parts[2], CultureInfo.InvariantCulture))));
    }
}
