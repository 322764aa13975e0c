using CallServer.Domain.Addresses;
using CallServer.Domain.Records;
using CallServer.History;
using CallServer.Ports;

namespace CallServer.Adapters.CallHistory;

/// <summary>
/// One node's call histories: per account, call id → entry and the entries ordered by (end, call id), under one
/// lock. Adding drops what fell out of the bounds from the old end of the order, so an add costs the same with
/// 500 entries kept as with 5.
/// </summary>
public sealed class InMemoryCallHistoryStore : ICallHistoryStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<Address, AccountHistory> byAccount = [];

    public Task<CallHistoryAdd> AddAsync(Address account, CallHistoryEntry entry, CallHistoryBounds bounds, CancellationToken cancellationToken = default)
    {
        entry = CallHistoryOrder.Normalize(entry);
        var oldest = CallHistoryOrder.CeilingMilliseconds(bounds.NotBefore);
        lock (gate)
        {
            if (!byAccount.TryGetValue(account, out var history))
            {
                byAccount[account] = history = new AccountHistory();
            }

            history.DropOlderThan(oldest);
            var result = history.Add(entry, oldest, bounds.MaxEntries);
            if (history.Count == 0)
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
            IReadOnlyList<CallHistoryEntry> list = byAccount.TryGetValue(account, out var history)
                ? history.NewestFirst(oldest, before).Take(page.Limit).ToList()
                : [];
            return Task.FromResult(list);
        }
    }

    public Task<bool> RemoveAsync(Address account, string callId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(byAccount.TryGetValue(account, out var history) && history.Remove(callId));
        }
    }

    public Task<bool> ClearAsync(Address account, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(byAccount.Remove(account, out var history) && history.Count > 0);
        }
    }

    /// <summary>One account's entries, by id and in (end, call id) order.</summary>
    private sealed class AccountHistory
    {
        private static readonly Comparer<(long Score, string CallId)> Order = Comparer<(long Score, string CallId)>.Create(
            (a, b) => a.Score != b.Score ? a.Score.CompareTo(b.Score) : string.CompareOrdinal(a.CallId, b.CallId));

        private readonly Dictionary<string, CallHistoryEntry> byId = new(StringComparer.Ordinal);
        private readonly SortedSet<(long Score, string CallId)> ordered = new(Order);

        public int Count => byId.Count;

        public void DropOlderThan(long oldest)
        {
            while (ordered.Count > 0 && ordered.Min.Score < oldest)
            {
                Remove(ordered.Min.CallId);
            }
        }

        public CallHistoryAdd Add(CallHistoryEntry entry, long oldest, int maxEntries)
        {
            if (byId.ContainsKey(entry.CallId))
            {
                return CallHistoryAdd.AlreadyThere;
            }

            if (CallHistoryOrder.Score(entry) < oldest)
            {
                return CallHistoryAdd.Dropped;
            }

            byId[entry.CallId] = entry;
            ordered.Add((CallHistoryOrder.Score(entry), entry.CallId));
            var dropped = false;
            while (byId.Count > maxEntries)
            {
                var oldestEntry = ordered.Min.CallId;
                dropped |= oldestEntry == entry.CallId;
                Remove(oldestEntry);
            }

            return dropped ? CallHistoryAdd.Dropped : CallHistoryAdd.Added;
        }

        public bool Remove(string callId)
        {
            if (!byId.Remove(callId, out var entry))
            {
                return false;
            }

            ordered.Remove((CallHistoryOrder.Score(entry), callId));
            return true;
        }

        /// <summary>Entries that ended at or after <paramref name="oldest"/> and before <paramref name="before"/> (Unix ms), newest first.</summary>
        public IEnumerable<CallHistoryEntry> NewestFirst(long oldest, long before) =>
            before <= oldest
                ? []
                : ordered.GetViewBetween((oldest, string.Empty), (before - 1, "\uffff\uffff")).Reverse().Select(key => byId[key.CallId]);
    }
}
