using CallServer.Domain.Addresses;
using CallServer.Domain.Records;
using CallServer.History;

namespace CallServer.Adapters.CallHistory;

/// <summary>One node's call histories: per account, call id → entry, under one lock.</summary>
public sealed class InMemoryCallHistoryStore : ICallHistoryStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<Address, Dictionary<string, CallHistoryEntry>> byAccount = [];

    public Task<CallHistoryAdd> AddAsync(Address account, CallHistoryEntry entry, CallHistoryBounds bounds, CancellationToken cancellationToken = default)
    {
        entry = CallHistoryOrder.Normalize(entry);
        var oldest = CallHistoryOrder.CeilingMilliseconds(bounds.NotBefore);
        lock (gate)
        {
            if (!byAccount.TryGetValue(account, out var entries))
            {
                byAccount[account] = entries = new Dictionary<string, CallHistoryEntry>(StringComparer.Ordinal);
            }

            foreach (var stale in entries.Values.Where(e => CallHistoryOrder.Score(e) < oldest).ToList())
            {
                entries.Remove(stale.CallId);
            }

            var result = Add(entries, entry, oldest, bounds.MaxEntries);
            if (entries.Count == 0)
            {
                byAccount.Remove(account);
            }

            return Task.FromResult(result);
        }
    }

    public Task<IReadOnlyList<CallHistoryEntry>> ListAsync(Address account, CallHistoryPage page, DateTimeOffset notBefore, CancellationToken cancellationToken = default)
    {
        var oldest = CallHistoryOrder.CeilingMilliseconds(notBefore);
        var before = page.Before is { } time ? CallHistoryOrder.CeilingMilliseconds(time) : long.MaxValue;
        lock (gate)
        {
            IReadOnlyList<CallHistoryEntry> list = byAccount.TryGetValue(account, out var entries)
                ? CallHistoryOrder.NewestFirst(entries.Values.Where(e => CallHistoryOrder.Score(e) >= oldest && CallHistoryOrder.Score(e) < before)).Take(page.Limit).ToList()
                : [];
            return Task.FromResult(list);
        }
    }

    public Task<bool> RemoveAsync(Address account, string callId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(byAccount.TryGetValue(account, out var entries) && entries.Remove(callId));
        }
    }

    public Task<bool> ClearAsync(Address account, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(byAccount.Remove(account, out var entries) && entries.Count > 0);
        }
    }

    private static CallHistoryAdd Add(Dictionary<string, CallHistoryEntry> entries, CallHistoryEntry entry, long oldest, int maxEntries)
    {
        if (entries.ContainsKey(entry.CallId))
        {
            return CallHistoryAdd.AlreadyThere;
        }

        if (CallHistoryOrder.Score(entry) < oldest)
        {
            return CallHistoryAdd.Dropped;
        }

        entries[entry.CallId] = entry;
        var excess = entries.Count - maxEntries;
        if (excess <= 0)
        {
            return CallHistoryAdd.Added;
        }

        var dropped = CallHistoryOrder.NewestFirst(entries.Values).Reverse().Take(excess).Select(e => e.CallId).ToList();
        foreach (var callId in dropped)
        {
            entries.Remove(callId);
        }

        return dropped.Contains(entry.CallId, StringComparer.Ordinal) ? CallHistoryAdd.Dropped : CallHistoryAdd.Added;
    }
}
