using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Adapters.Timers;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Calls;

/// <summary>
/// Calls in Redis: a hash per call (<c>v</c> the version, <c>d</c> the JSON record, <c>e</c> set once it
/// ended), saved by a Lua script only if the stored version is the one the command was decided from. The
/// same script keeps two sets per account: <c>account:&lt;a&gt;:active</c>, the calls in which it takes
/// part that have not ended, and <c>account:&lt;a&gt;:placed</c>, those it placed; a create checks the
/// caller's limit against the latter in the same atomic step. An ended call leaves both at once and its
/// hash expires after the retention period. Nothing a command reads grows with an account's history.
/// </summary>
public sealed class RedisCallStore(RedisConnection redis, RedisKeys keys, IOptions<CallsOptions> options) : ICallStore
{
    private readonly LastSeenCalls lastSeen = new();

    // KEYS[1] the call, KEYS[2] the timers, KEYS[3] the call's pending timers, KEYS[4] the caller's placed
    // set, KEYS[5..4+N] the N active sets of its accounts, then one outbox stream per outbox message. ARGV: [1] expected version ('0' = a create: the call
    // must not exist), [2] new version, [3] record, [4] expiry in ms ('0' = none), [5] the call id, [6] '1'
    // when the call has ended, [7] on a create, the most calls in progress the caller may already have,
    // [8] the key prefix of call hashes, [9] the Redis time (ms) after which the save must not be applied,
    // its sender having given up ('0': none; see RedisConnection.WriteDeadline), [10] N, [11] T, [12..] the
    // decision's T timers as (due ms, member) pairs, added to the timers with the save, then the payload of
    // each outbox message (XADD to its stream, with the call id; not capped: a stream holds only work not
    // done, since acknowledged entries are deleted, and every topic bounds its own backlog by dropping).
    // The index sets need no expiry: a set whose last call ended is empty, and Redis drops empty sets. A
    // call that ends takes its pending timers out of the timers (none of them would do anything), so an
    // ended call leaves no work behind.
    // Returns 1 when saved; on a lost race the record stored now (so the loser needs no second read), or 0
    // when there is none; -1 when a create finds the caller's limit reached; -2 when it came too late.
    // A create that finds the limit reached first drops members of the placed set whose call has ended or
    // is gone (written by a node of an older version, or lost), so stale entries never refuse anyone.
    private const string CompareAndSetScript = """
        if ARGV[9] ~= '0' then
          local time = redis.call('TIME')
          if tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) > tonumber(ARGV[9]) then return -2 end
        end
        local current = redis.call('HGET', KEYS[1], 'v')
        if ARGV[1] == '0' then
          if current then return 0 end
          local limit = tonumber(ARGV[7])
          if redis.call('SCARD', KEYS[4]) >= limit then
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[4])) do
              local call = ARGV[8] .. id
              if redis.call('EXISTS', call) == 0 or redis.call('HEXISTS', call, 'e') == 1 then
                redis.call('SREM', KEYS[4], id)
              end
            end
            if redis.call('SCARD', KEYS[4]) >= limit then return -1 end
          end
        elseif current ~= ARGV[1] then
          return redis.call('HGET', KEYS[1], 'd') or 0
        end
        redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
        local op = 'SADD'
        if ARGV[6] == '1' then
          redis.call('HSET', KEYS[1], 'e', '1')
          op = 'SREM'
          local pending = redis.call('SMEMBERS', KEYS[3])
          if #pending > 0 then
            redis.call('ZREM', KEYS[2], unpack(pending))
            redis.call('DEL', KEYS[3])
          end
        end
        if ARGV[4] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
        local sets = tonumber(ARGV[10])
        for i = 4, 4 + sets do
          redis.call(op, KEYS[i], ARGV[5])
        end
        local timersEnd = 11 + 2 * tonumber(ARGV[11])
        for i = 12, timersEnd, 2 do
          redis.call('ZADD', KEYS[2], ARGV[i], ARGV[i + 1])
          redis.call('SADD', KEYS[3], ARGV[i + 1])
        end
        for i = 5 + sets, #KEYS do
          redis.call('XADD', KEYS[i], '*', 'c', ARGV[5], 'p', ARGV[timersEnd + i - 4 - sets])
        end
        return 1
        """;

    public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => lastSeen.Saw(callId, Read(await redis.Database.HashGetAsync(keys.Call(callId), "d"))));

    /// <summary>The calls in progress this node last saw (to tell their parties if Redis loses them).</summary>
    public IReadOnlyList<Call> RememberedCalls() => lastSeen.All();

    public Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default) =>
        lastSeen.TryGet(callId) is { } call ? Task.FromResult<Call?>(call) : GetAsync(callId, cancellationToken);

    public Task<bool> TryCreateAsync(Call call, int maxCallsInProgress = int.MaxValue, IReadOnlyList<TimerRequest>? timers = null, CancellationToken cancellationToken = default) =>
        SaveAsync(call, 0, maxCallsInProgress, timers ?? [], []);

    public Task<bool> TryCreateAsync(Call call, int maxCallsInProgress, IReadOnlyList<TimerRequest>? timers, IReadOnlyList<OutboxMessage>? outbox, CancellationToken cancellationToken = default) =>
        SaveAsync(call, 0, maxCallsInProgress, timers ?? [], outbox ?? []);

    /// <summary>A save without outbox messages.</summary>
    public Task<bool> TrySaveAsync(Call call, long expectedVersion, IReadOnlyList<TimerRequest>? timers = null, CancellationToken cancellationToken = default) =>
        TrySaveAsync(call, expectedVersion, timers, null, cancellationToken);

    public Task<bool> TrySaveAsync(Call call, long expectedVersion, IReadOnlyList<TimerRequest>? timers, IReadOnlyList<OutboxMessage>? outbox, CancellationToken cancellationToken = default) =>
        SaveAsync(call, expectedVersion, int.MaxValue, timers ?? [], outbox ?? []);

    public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<Call>>(async () =>
        {
            var database = redis.Database;
            var index = keys.ActiveCallsOf(account.Value);
            var legacy = keys.LegacyCallsOf(account.Value);
            var activeRead = database.SetMembersAsync(index);
            var legacyRead = database.SetMembersAsync(legacy);
            var ids = (await activeRead).Union(await legacyRead).ToArray();
            var records = await Task.WhenAll(ids.Select(id => database.HashGetAsync(keys.Call(id!), "d")));
            var calls = new List<Call>(ids.Length);
            var stale = new List<RedisValue>();
            for (var i = 0; i < ids.Length; i++)
            {
                // Gone, or ended by a node of an older version that did not keep this index.
                if (Read(records[i]) is { Phase: not CallPhase.Ended } call)
                {
                    calls.Add(call);
                }
                else
                {
                    stale.Add(ids[i]);
                }
            }

            if (stale.Count > 0)
            {
                await database.SetRemoveAsync(index, [.. stale]);
            }

            if ((await legacyRead).Length > 0)
            {
                await MoveLegacyIndexAsync(database, account, legacy, calls);
            }

            return calls;
        });

    public Task<int> CountCallsInProgressAsync(Address caller, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => (int)await redis.Database.SetLengthAsync(keys.CallsPlacedBy(caller.Value)));

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.PingAsync());

    /// <summary>
    /// A rolling upgrade from the version before, which listed every call of an account under
    /// <c>account:&lt;a&gt;:calls</c>: its calls in progress join the new indexes, and the old set goes, so
    /// it is read once, not with every command.
    /// </summary>
    private async Task MoveLegacyIndexAsync(IDatabase database, Address account, RedisKey legacy, IReadOnlyList<Call> active)
    {
        var index = keys.ActiveCallsOf(account.Value);
        var placed = active.Where(c => c.Caller.Account == account).Select(c => (RedisValue)c.CallId).ToArray();
        if (active.Count > 0)
        {
            await database.SetAddAsync(index, [.. active.Select(c => (RedisValue)c.CallId)]);
        }

        if (placed.Length > 0)
        {
            await database.SetAddAsync(keys.CallsPlacedBy(account.Value), placed);
        }

        await database.KeyDeleteAsync(legacy);
    }

    private Task<bool> SaveAsync(Call call, long expectedVersion, int maxCallsInProgress, IReadOnlyList<TimerRequest> timers, IReadOnlyList<OutboxMessage> outbox) => redis.Guard(async () =>
    {
        var ended = call.Phase == CallPhase.Ended;
        var activeSets = ActiveCallIndex.AccountsOf(call).Select(a => keys.ActiveCallsOf(a.Value)).ToList();
        RedisKey[] scriptKeys =
        [
            keys.Call(call.CallId),
            keys.Timers,
            keys.TimersOf(call.CallId),
            keys.CallsPlacedBy(call.Caller.Account.Value),
            .. activeSets,
            .. outbox.Select(message => keys.Outbox(message.Topic)),
        ];
        var expiry = ended ? (long)options.Value.EndedCallRetention.TotalMilliseconds : 0;
        RedisValue[] arguments =
        [
            expectedVersion.ToString(CultureInfo.InvariantCulture),
            call.Version.ToString(CultureInfo.InvariantCulture),
            StoredCallFormat.Write(call),
            expiry.ToString(CultureInfo.InvariantCulture),
            call.CallId,
            ended ? "1" : "0",
            maxCallsInProgress.ToString(CultureInfo.InvariantCulture),
            keys.CallPrefix,
            redis.WriteDeadline(),
            activeSets.Count.ToString(CultureInfo.InvariantCulture),
            timers.Count.ToString(CultureInfo.InvariantCulture),
            .. timers.SelectMany(timer => new RedisValue[]
            {
                timer.DueAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                RedisTimerQueue.Member(new DueTimer(call.CallId, timer)),
            }),
            .. outbox.Select(message => (RedisValue)message.Payload),
        ];
        var result = await redis.Database.ScriptEvaluateAsync(CompareAndSetScript, scriptKeys, arguments);
        if (result.Resp2Type == ResultType.BulkString)
        {
            // Lost the race: remember the version that won, the next attempt starts from it.
            lastSeen.Saw(call.CallId, Read((RedisValue)result));
            return false;
        }

        switch ((int)result)
        {
            case 1:
                break;
            case -2:
                throw RedisConnection.Unavailable();
            default:
                return false;
        }

        lastSeen.Saw(call.CallId, call);
        return true;
    });

    /// <summary>A stored call of any schema this node reads; a newer or broken one refuses the operation (<c>Unavailable</c>).</summary>
    private Call? Read(RedisValue record)
    {
        try
        {
            return record.IsNullOrEmpty ? null : StoredCallFormat.Read(record.ToString());
        }
        catch (StoredFormatException unreadable)
        {
            throw redis.Unreadable(unreadable);
        }
    }
}
