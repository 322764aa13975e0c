using CallServer.Adapters.Redis;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Outbox;
using CallServer.Ports;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Calls;

/// <summary>
/// Calls in Redis (key layout 2, <see cref="RedisShards"/>): a hash per call (<c>v</c> the version, <c>d</c> the JSON record, <c>e</c> set once it
/// ended), saved by a Lua script only if the stored version is the one the command was decided from. The
/// same script keeps two sets per account: <c>account:&lt;a&gt;:active</c>, the calls in which it takes
/// part that have not ended, and <c>account:&lt;a&gt;:placed</c>, those it placed; a create checks the
/// caller's limit against the latter in the same atomic step. An ended call leaves both at once and its
/// hash expires after the retention period. Nothing a command reads grows with an account's history.
/// A change is saved by <see cref="CallSaveScript"/>, only if the stored version is the one the command was
/// decided from, with its timers and outbox messages. A call sits in its caller's shard; on a Redis Cluster the
/// active sets of its other accounts (in other shards) follow by an index message (<see cref="ActiveIndexWorker"/>),
/// and a reader drops members whose call has ended, so a late index message leaves nothing wrong behind.
/// </summary>
/// <param name="redis">The connection.</param>
/// <param name="keys">The key names.</param>
/// <param name="options">The retention of ended calls.</param>
/// <param name="signal">Wakes this node's index worker after a save that left it an index message.</param>
/// <param name="layout">The key layout check: the store is not ready until the data is in this node's layout.</param>
/// <param name="appends">Told which shard's streams a save appended to, for this node's workers (<see cref="Adapters.Outbox.OutboxAppends"/>).</param>
/// <param name="replicaWait">After a save that ends a call, waits for the replicas (<see cref="RedisReplicaWait"/>), when configured.</param>
public sealed class RedisCallStore(
    RedisConnection redis,
    RedisKeys keys,
    IOptions<CallsOptions> options,
    OutboxSignal? signal = null,
    RedisLayout? layout = null,
    Adapters.Outbox.OutboxAppends? appends = null,
    RedisReplicaWait? replicaWait = null) : ICallStore, IRememberedCalls
{
    private readonly LastSeenCalls lastSeen = new();

    /// <summary>A random id in the caller's shard: the call's keys and the caller's indexes are then one slot.</summary>
    public string NewCallId(Address caller) => RedisShards.NewCallId(caller.Value);

    public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => lastSeen.Saw(callId, Read(await redis.Database.HashGetAsync(keys.Call(callId), "d"))));

    /// <summary>The calls in progress this node last saw (to tell their parties if Redis loses them).</summary>
    public IReadOnlyList<Call> RememberedCalls() => lastSeen.All();

    public Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default) =>
        lastSeen.TryGet(callId) is { } call ? Task.FromResult<Call?>(call) : GetAsync(callId, cancellationToken);

    public Task<bool> TrySaveAsync(CallChange change, CancellationToken cancellationToken = default) => redis.Guard(async () =>
    {
        var save = CallSaveScript.For(change, keys, options.Value.EndedCallRetention, redis.WriteDeadline(), redis.IsCluster, lastSeen.TryGet(change.Call.CallId));
        var result = await redis.Database.ScriptEvaluateAsync(CallSaveScript.Lua, save.Keys, save.Arguments);
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
                MarkAppends(change, save.IndexLater);
                if (save.IndexLater)
                {
                    signal?.Set(CallSaveScript.IndexTopic);
                }

                if (replicaWait is { Enabled: true } && change.Call.Phase == CallPhase.Ended)
                {
                    await WaitForReplicasAsync(replicaWait, change.Call.CallId);
                }

                return true;
            case CallSaveScript.TooLate:
                throw RedisConnection.Unavailable();
            default:
                return false;
        }
    });

    /// <summary>The end is saved on the primary whatever the replicas do: a wait that fails is logged (by the connection), not thrown.</summary>
    private async Task WaitForReplicasAsync(RedisReplicaWait wait, string callId)
    {
        try
        {
            await wait.AfterEndAsync(callId, keys.Call(callId));
        }
        catch (StoreUnavailableException)
        {
            // Redis went away right after the save: the save stands; the next command finds what the failover left.
        }
    }

    public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default) =>
        ReadActiveCallsOfAsync(account, except: null);

    public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, string except, CancellationToken cancellationToken = default) =>
        ReadActiveCallsOfAsync(account, except);

    private Task<IReadOnlyList<Call>> ReadActiveCallsOfAsync(Address account, string? except) =>
        redis.Guard<IReadOnlyList<Call>>(async () =>
        {
            var database = redis.Database;
            var index = keys.ActiveCallsOf(account.Value);
            var ids = (await database.SetMembersAsync(index)).Where(id => id != except).ToArray();
            var records = await Task.WhenAll(ids.Select(id => database.HashGetAsync(keys.Call(id!), "d")));
            var calls = new List<Call>(ids.Length);
            var stale = new List<RedisValue>();
            for (var i = 0; i < ids.Length; i++)
            {
                // Gone, or ended after a late index message put it back.
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

            return calls;
        });

    public Task<int> CountCallsInProgressAsync(Address caller, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => (int)await redis.Database.SetLengthAsync(keys.CallsPlacedBy(caller.Value)));

    /// <summary>Redis answers, and its data is in this node's key layout (<see cref="RedisLayout"/>; checked or moved here if not yet).</summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        await redis.Guard(() => redis.Database.PingAsync());
        if (layout is { IsCurrent: false } && !await layout.EnsureAsync())
        {
            throw new StoreUnavailableException("the Redis data is being moved to this version's key layout by another node");
        }
    }

    private void MarkAppends(CallChange change, bool indexLater)
    {
        if (appends is null)
        {
            return;
        }

        var shard = RedisShards.Of(change.Call.CallId);
        foreach (var message in change.Outbox)
        {
            appends.Mark(message.Topic, shard);
        }

        if (indexLater)
        {
            appends.Mark(CallSaveScript.IndexTopic, shard);
        }
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
