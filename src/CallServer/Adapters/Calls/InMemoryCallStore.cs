using System.Collections.Concurrent;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Timers;
using Microsoft.Extensions.Options;

namespace CallServer.Adapters.Calls;

/// <summary>
/// One node's calls in memory. Compare-and-set through <see cref="ConcurrentDictionary{TKey,TValue}.TryUpdate"/>
/// (the stored record is replaced only if it is still the instance that was read). The calls in progress
/// of each account are indexed (<see cref="ActiveCallIndex"/>), updated with every save under one lock
/// that also makes the caller's limit on calls in progress exact. Ended calls leave the index at once and
/// are dropped after the retention period, lazily on read and by <see cref="PurgeExpired"/>.
/// </summary>
public sealed class InMemoryCallStore(IOptions<CallsOptions> options, TimeProvider clock, InMemoryTimerQueue? timerQueue = null, InMemoryOutbox? outbox = null) : ICallStore
{
    private readonly InMemoryTimerQueue timerQueue = timerQueue ?? new InMemoryTimerQueue();
    private readonly InMemoryOutbox outbox = outbox ?? new InMemoryOutbox(clock);

    private readonly ConcurrentDictionary<string, Call> calls = new(StringComparer.Ordinal);
    private readonly ActiveCallIndex active = new();
    private readonly Lock saving = new();

    public int Count => calls.Count;

    public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        Task.FromResult(calls.TryGetValue(callId, out var call) && !IsExpired(call) ? call : null);

    /// <summary>Memory is always current: the stored call.</summary>
    public Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default) => GetAsync(callId, cancellationToken);

    public Task<bool> TryCreateAsync(Call call, int maxCallsInProgress = int.MaxValue, IReadOnlyList<TimerRequest>? timers = null, CancellationToken cancellationToken = default) =>
        TryCreateAsync(call, maxCallsInProgress, timers, null, cancellationToken);

    public Task<bool> TryCreateAsync(Call call, int maxCallsInProgress, IReadOnlyList<TimerRequest>? timers, IReadOnlyList<OutboxMessage>? outboxMessages, CancellationToken cancellationToken = default)
    {
        lock (saving)
        {
            if (active.CallsInProgressOf(call.Caller.Account) >= maxCallsInProgress || !calls.TryAdd(call.CallId, call))
            {
                return Task.FromResult(false);
            }

            active.Update(call);
            Schedule(call, timers);
            Append(outboxMessages);
        }

        return Task.FromResult(true);
    }

    /// <summary>A save without outbox messages.</summary>
    public Task<bool> TrySaveAsync(Call call, long expectedVersion, IReadOnlyList<TimerRequest>? timers = null, CancellationToken cancellationToken = default) =>
        TrySaveAsync(call, expectedVersion, timers, null, cancellationToken);

    public Task<bool> TrySaveAsync(Call call, long expectedVersion, IReadOnlyList<TimerRequest>? timers, IReadOnlyList<OutboxMessage>? outboxMessages, CancellationToken cancellationToken = default)
    {
        lock (saving)
        {
            // A call past its retention is gone (as in Redis, where its key expired) even before it is purged.
            if (!calls.TryGetValue(call.CallId, out var stored) || stored.Version != expectedVersion || IsExpired(stored) || !calls.TryUpdate(call.CallId, call, stored))
            {
                return Task.FromResult(false);
            }

            active.Update(call);
            Schedule(call, timers);
            Append(outboxMessages);
        }

        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<Call> found = active.CallIdsOf(account)
            .Select(id => calls.TryGetValue(id, out var call) ? call : null)
            .OfType<Call>()
            .ToList();
        return Task.FromResult(found);
    }

    public Task<int> CountCallsInProgressAsync(Address caller, CancellationToken cancellationToken = default) =>
        Task.FromResult(active.CallsInProgressOf(caller));

    public Task PingAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <summary>Drops the ended calls whose retention period is over; returns how many.</summary>
    public int PurgeExpired()
    {
        var purged = 0;
        foreach (var (id, call) in calls)
        {
            if (IsExpired(call) && calls.TryRemove(new KeyValuePair<string, Call>(id, call)))
            {
                purged++;
            }
        }

        return purged;
    }

    private void Append(IReadOnlyList<OutboxMessage>? messages)
    {
        foreach (var message in messages ?? [])
        {
            outbox.Append(message);
        }
    }

    private void Schedule(Call call, IReadOnlyList<TimerRequest>? timers)
    {
        if (call.Phase == CallPhase.Ended)
        {
            timerQueue.DropTimersOf(call.CallId);
        }

        foreach (var timer in timers ?? [])
        {
            timerQueue.Schedule(new DueTimer(call.CallId, timer));
        }
    }

    private bool IsExpired(Call call) =>
        call.EndedAt is { } endedAt && endedAt + options.Value.EndedCallRetention <= clock.GetUtcNow();
}
