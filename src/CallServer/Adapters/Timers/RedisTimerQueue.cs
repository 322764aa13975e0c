using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Timers;

/// <summary>
/// Timers in a sorted set scored by due time. A Lua script moves due entries to a claimed set with a
/// lease, atomically, so one node claims each; entries whose lease ran out (their node died before
/// completing them) go back to the due set and are claimed again.
/// </summary>
public sealed class RedisTimerQueue(RedisConnection redis, RedisKeys keys, IOptions<RedisOptions> options) : ITimerQueue
{
    // KEYS[1] due, KEYS[2] claimed; ARGV: now (ms), max, lease end (ms), the Redis time (ms) after which
    // the claim must not be made, its sender having given up ('0': none; see RedisConnection.WriteDeadline):
    // a claim that reaches a stalled Redis late would otherwise hold its timers for a whole lease.
    private const string ClaimScript = """
        if ARGV[4] ~= '0' then
          local time = redis.call('TIME')
          if tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) > tonumber(ARGV[4]) then return {} end
        end
        local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
        for _, member in ipairs(expired) do
          redis.call('ZREM', KEYS[2], member)
          redis.call('ZADD', KEYS[1], ARGV[1], member)
        end
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
        for _, member in ipairs(due) do
          redis.call('ZREM', KEYS[1], member)
          redis.call('ZADD', KEYS[2], ARGV[3], member)
        end
        return due
        """;

    public Task ScheduleAsync(DueTimer timer, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.SortedSetAddAsync(keys.Timers, Member(timer), timer.Request.DueAt.ToUnixTimeMilliseconds()));

    public Task<IReadOnlyList<DueTimer>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<DueTimer>>(async () =>
        {
            var nowMs = now.ToUnixTimeMilliseconds();
            var leaseEnd = nowMs + (long)options.Value.TimerClaimLease.TotalMilliseconds;
            var result = await redis.Database.ScriptEvaluateAsync(
                ClaimScript,
                [keys.Timers, keys.ClaimedTimers],
                [nowMs.ToString(CultureInfo.InvariantCulture), max.ToString(CultureInfo.InvariantCulture), leaseEnd.ToString(CultureInfo.InvariantCulture), redis.WriteDeadline()]);
            return ((RedisResult[])result!).Select(r => Parse((string)r!)).ToList();
        });

    public Task CompleteAsync(DueTimer timer, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.SortedSetRemoveAsync(keys.ClaimedTimers, Member(timer)));

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
