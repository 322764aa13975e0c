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
    // for a whole lease. Timers whose lease ran out go back to due first; then the earliest due of all the
    // shards given, up to max, are claimed. Returns the members claimed, earliest first.
    private const string ClaimScript = """
        if ARGV[4] ~= '0' then
          local time = redis.call('TIME')
          if tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) > tonumber(ARGV[4]) then return {} end
        end
        local max = tonumber(ARGV[2])
        local candidates = {}
        for pair = 1, #KEYS, 2 do
          local dueKey, claimedKey = KEYS[pair], KEYS[pair + 1]
          local expired = redis.call('ZRANGEBYSCORE', claimedKey, '-inf', ARGV[1], 'LIMIT', 0, max)
          for _, member in ipairs(expired) do
            redis.call('ZREM', claimedKey, member)
            redis.call('ZADD', dueKey, ARGV[1], member)
          end
          local due = redis.call('ZRANGEBYSCORE', dueKey, '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, max)
          for i = 1, #due, 2 do
            candidates[#candidates + 1] = { due[i], tonumber(due[i + 1]), pair }
          end
        end
        table.sort(candidates, function(a, b) return a[2] < b[2] end)
        local claimed = {}
        for i = 1, math.min(max, #candidates) do
          local member, pair = candidates[i][1], candidates[i][3]
          redis.call('ZREM', KEYS[pair], member)
          redis.call('ZADD', KEYS[pair + 1], ARGV[3], member)
          claimed[#claimed + 1] = member
        end
        return claimed
        """;

    // KEYS[1] due, KEYS[2] claimed; ARGV: members, each put back at its due time (ms) given in the member itself:
    // a claim on a Cluster over-claimed (each shard up to the maximum), and gives back the latest.
    private const string GiveBackScript = """
        for _, member in ipairs(ARGV) do
          if redis.call('ZREM', KEYS[2], member) == 1 then
            local due = string.match(member, '^[^|]*|[^|]*|(%d+)|')
            redis.call('ZADD', KEYS[1], due, member)
          end
        end
        return 1
        """;

    private static readonly int[] AllShards = [.. Enumerable.Range(0, RedisShards.Count)];

    public Task ScheduleAsync(DueTimer timer, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.SortedSetAddAsync(keys.Timers(RedisShards.Of(timer.CallId)), Member(timer), timer.Request.DueAt.ToUnixTimeMilliseconds()));

    /// <summary>
    /// Claims the earliest due timers of every shard, up to <paramref name="max"/>: in one script on a single
    /// Redis; on a Cluster (a script touches one slot there) one script per shard, sent together, and what is
    /// beyond the earliest <paramref name="max"/> of them all given back at once.
    /// </summary>
    public Task<IReadOnlyList<DueTimer>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<DueTimer>>(async () =>
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            var leaseEnd = nowMs + (long)options.Value.TimerClaimLease.TotalMilliseconds;
            RedisValue[] arguments = [Number(nowMs), Number(max), Number(leaseEnd), redis.WriteDeadline()];
            var database = redis.Database;
            if (!redis.IsCluster)
            {
                var all = await database.ScriptEvaluateAsync(ClaimScript, [.. AllShards.SelectMany(ShardKeys)], arguments);
                return ((RedisResult[])all!).Select(r => Parse((string)r!)).ToList();
            }

            var perShard = await Task.WhenAll(AllShards.Select(shard => database.ScriptEvaluateAsync(ClaimScript, ShardKeys(shard), arguments)));
            var claimed = perShard.SelectMany(result => (RedisResult[])result!).Select(r => Parse((string)r!)).OrderBy(t => t.Request.DueAt).ToList();
            if (claimed.Count > max)
            {
                await Task.WhenAll(claimed.Skip(max).GroupBy(t => RedisShards.Of(t.CallId)).Select(surplus =>
                    database.ScriptEvaluateAsync(GiveBackScript, ShardKeys(surplus.Key), [.. surplus.Select(t => (RedisValue)Member(t))])));
                claimed.RemoveRange(max, claimed.Count - max);
            }

            return claimed;
        });

    private RedisKey[] ShardKeys(int shard) => [keys.Timers(shard), keys.ClaimedTimers(shard)];

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
