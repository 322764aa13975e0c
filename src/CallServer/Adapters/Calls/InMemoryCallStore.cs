using System.Collections.Concurrent;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Timers;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Adapters.Calls;

/// <summary>
/// One node's calls in memory. Compare-and-set through <see cref="ConcurrentDictionary{TKey,TValue}.TryUpdate"/>
/// (the stored record is replaced only if it is still the instance that was read). The calls in progress
/// of each account are indexed (<see cref="ActiveCallIndex"/>), updated with every save under one lock
/// that also makes the caller's limit on calls in progress exact. Ended calls leave the index at once and
/// are dropped after the retention period, lazily on read and by <see cref="PurgeExpired"/>.
/// </summary>
/// <remarks>It schedules a change's timers on <paramref name="timerQueue"/> and appends its messages to
/// <paramref name="outbox"/> under the same lock: the node's own timer queue and outbox, which it must be given.</remarks>
public sealed class InMemoryCallStore(IOptions<CallsOptions> options, TimeProvider clock, InMemoryTimerQueue timerQueue, InMemoryOutbox outbox) : ICallStore
{
    private readonly ConcurrentDictionary<string, Call> calls = new(StringComparer.Ordinal);
    private readonly ActiveCallIndex active = new();
    private readonly Lock saving = new();

    public string NewCallId(Address caller) => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));

    public int Count => calls.Count;

    public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        Task.FromResult(calls.TryGetValue(callId, out var call) && !IsExpired(call) ? call : null);

    /// <summary>Memory is always current: the stored call.</summary>
    public Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default) => GetAsync(callId, cancellationToken);

    public Task<bool> TrySaveAsync(CallChange change, CancellationToken cancellationToken = default)
    {
        var call = change.Call;
        lock (saving)
        {
            if (change.IsCreate
                ? active.CallsInProgressOf(call.Caller.Account) >= change.MaxCallsInProgress || !calls.TryAdd(call.CallId, call)
                : !TryReplace(call, change.ExpectedVersion))
            {
                return Task.FromResult(false);
            }

            active.Update(call);
            Schedule(call, change.Timers);
            foreach (var message in change.Outbox)
            {
                outbox.Append(message);
            }
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

    /// <summary>Replaces the stored call if it is still <paramref name="expectedVersion"/>; a call past its retention is gone (as in Redis, where its key expired) even before it is purged.</summary>
    private bool TryReplace(Call call, long expectedVersion) =>
        calls.TryGetValue(call.CallId, out var stored) && stored.Version == expectedVersion && !IsExpired(stored) && calls.TryUpdate(call.CallId, call, stored);

    private void Schedule(Call call, IReadOnlyList<TimerRequest> timers)
    {
        if (call.Phase == CallPhase.Ended)
        {
            timerQueue.DropTimersOf(call.CallId);
        }

        foreach (var timer in timers)
        {
            timerQueue.Schedule(new DueTimer(call.CallId, timer));
        }
    }

    private bool IsExpired(Call call) =>
        call.EndedAt is { } endedAt && endedAt + options.Value.EndedCallRetention <= clock.GetUtcNow();
}
