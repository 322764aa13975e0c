using System.Collections.Concurrent;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Adapters.Calls;

/// <summary>
/// One node's calls in memory. Compare-and-set through <see cref="ConcurrentDictionary{TKey,TValue}.TryUpdate"/>
/// (the stored record is replaced only if it is still the instance that was read). Ended calls are dropped
/// after the retention period, lazily on read and by <see cref="PurgeExpired"/>.
/// </summary>
public sealed class InMemoryCallStore(IOptions<CallsOptions> options, TimeProvider clock) : ICallStore
{
    private readonly ConcurrentDictionary<string, Call> calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Address, ConcurrentDictionary<string, byte>> callsByAccount = new();

    public int Count => calls.Count;

    public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        Task.FromResult(calls.TryGetValue(callId, out var call) && !IsExpired(call) ? call : null);

    public Task<bool> TryCreateAsync(Call call, CancellationToken cancellationToken = default)
    {
        if (!calls.TryAdd(call.CallId, call))
        {
            return Task.FromResult(false);
        }

        Index(call);
        return Task.FromResult(true);
    }

    public Task<bool> TrySaveAsync(Call call, long expectedVersion, CancellationToken cancellationToken = default)
    {
        // A call past its retention is gone (as in Redis, where its key expired) even before it is purged.
        if (!calls.TryGetValue(call.CallId, out var stored) || stored.Version != expectedVersion || IsExpired(stored) || !calls.TryUpdate(call.CallId, call, stored))
        {
            return Task.FromResult(false);
        }

        Index(call);
        return Task.FromResult(true);
    }

    public Task<IReadOnlyList<Call>> GetCallsOfAsync(Address account, CancellationToken cancellationToken = default)
    {
        if (!callsByAccount.TryGetValue(account, out var ids))
        {
            return Task.FromResult<IReadOnlyList<Call>>([]);
        }

        IReadOnlyList<Call> found = ids.Keys
            .Select(id => calls.TryGetValue(id, out var call) && !IsExpired(call) ? call : null)
            .OfType<Call>()
            .ToList();
        return Task.FromResult(found);
    }

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
                foreach (var account in AccountsOf(call))
                {
                    if (callsByAccount.TryGetValue(account, out var ids))
                    {
                        ids.TryRemove(id, out _);
                    }
                }
            }
        }

        foreach (var (account, ids) in callsByAccount)
        {
            if (ids.IsEmpty)
            {
                callsByAccount.TryRemove(new KeyValuePair<Address, ConcurrentDictionary<string, byte>>(account, ids));
            }
        }

        return purged;
    }

    private bool IsExpired(Call call) =>
        call.EndedAt is { } endedAt && endedAt + options.Value.EndedCallRetention <= clock.GetUtcNow();

    private void Index(Call call)
    {
        foreach (var account in AccountsOf(call))
        {
            callsByAccount.GetOrAdd(account, _ => new ConcurrentDictionary<string, byte>(StringComparer.Ordinal))[call.CallId] = 0;
        }
    }

    private static IEnumerable<Address> AccountsOf(Call call) =>
        call.Devices.Select(d => d.Account).Append(call.Caller.Account).Append(call.Callee.Account).Distinct();
}
