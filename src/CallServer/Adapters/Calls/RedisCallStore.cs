using CallServer.Adapters.Redis;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Ports;
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
/// A change is saved by <see cref="CallSaveScript"/>, only if the stored version is the one the command was
/// decided from, with its timers and outbox messages.
/// </summary>
public sealed class RedisCallStore(RedisConnection redis, RedisKeys keys, IOptions<CallsOptions> options) : ICallStore, IRememberedCalls
{
    private readonly LastSeenCalls lastSeen = new();

    public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => lastSeen.Saw(callId, Read(await redis.Database.HashGetAsync(keys.Call(callId), "d"))));

    /// <summary>The calls in progress this node last saw (to tell their parties if Redis loses them).</summary>
    public IReadOnlyList<Call> RememberedCalls() => lastSeen.All();

    public Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default) =>
        lastSeen.TryGet(callId) is { } call ? Task.FromResult<Call?>(call) : GetAsync(callId, cancellationToken);

    public Task<bool> TrySaveAsync(CallChange change, CancellationToken cancellationToken = default) => redis.Guard(async () =>
    {
        var (scriptKeys, arguments) = CallSaveScript.For(change, keys, options.Value.EndedCallRetention, redis.WriteDeadline());
        var result = await redis.Database.ScriptEvaluateAsync(CallSaveScript.Lua, scriptKeys, arguments);
        if (result.Resp2Type == ResultType.BulkString)
        {
            // Lost the race: remember the version that won, the next attempt starts from it.
            lastSeen.Saw(change.Call.CallId, Read((RedisValue)result));
            return false;
        }

        switch ((int)result)
        {
            case CallSaveScript.Saved:
                lastSeen.Saw(change.Call.CallId, change.Call);
                return true;
            case CallSaveScript.TooLate:
                throw RedisConnection.Unavailable();
            default:
                return false;
        }
    });

    public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<Call>>(async () =>
        {
            var database = redis.Database;
            var index = keys.ActiveCallsOf(account.Value);
            var legacy = keys.LegacyCallsOf(account.Value);
            // One command for both sets: this read is on every call's setup (the callee's busy devices, rule 22).
            var ids = await database.SetCombineAsync(SetOperation.Union, index, legacy);
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

            if (ids.Length > 0 && await database.KeyExistsAsync(legacy))
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
