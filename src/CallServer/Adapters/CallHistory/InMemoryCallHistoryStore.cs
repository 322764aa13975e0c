using CallServer.Domain.Addresses;
using CallServer.Domain.Records;
using CallServer.History;
using CallServer.Ports;

namespace CallServer.Adapters.CallHistory;

/// <summary>
/// One node's call histories: per account, call id → entry and the entries ordered by (end, call id), and the marks of
/// what its user deleted, under one lock. Adding drops what fell out of the bounds from the old end of the order, so
/// an add costs the same with 500 entries kept as with 5; the marks are bounded the same way.
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
            var result = history.IsDeleted(entry) ? CallHistoryAdd.Deleted : history.Add(entry, oldest, bounds.MaxEntries);
            if (history.IsEmpty)
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
                ? history.NewestFirst(oldest, before, page.After).Take(page.Limit).ToList()
                : [];
            return Task.FromResult(list);
        }
    }

    public Task<bool> RemoveAsync(Address account, string callId, CallHistoryBounds bounds, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(byAccount.TryGetValue(account, out var history) && history.Delete(callId, bounds));
        }
    }

    public Task<bool> ClearAsync(Address account, DateTimeOffset clearedAt, CallHistoryBounds bounds, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byAccount.TryGetValue(account, out var history))
            {
                byAccount[account] = history = new AccountHistory();
            }

            return Task.FromResult(history.Clear(clearedAt.ToUnixTimeMilliseconds(), bounds));
        }
    }

    public Task<bool> DeleteAsync(Address account, CancellationToken cancellationToken = default)
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
        private readonly Dictionary<string, long> deleted = new(StringComparer.Ordinal);
        private readonly SortedSet<(long Score, string CallId)> deletedOrder = new(Order);
        private long? clearedAt;

        public int Count => byId.Count;

        public bool IsEmpty => byId.Count == 0 && deleted.Count == 0 && clearedAt is null;

        /// <summary>Its user deleted this entry, or cleared the history when (or after) its call ended.</summary>
        public bool IsDeleted(CallHistoryEntry entry) =>
            deleted.ContainsKey(entry.CallId) || CallHistoryOrder.Score(entry) <= clearedAt;

        /// <summary>Removes an entry and remembers it was deleted; false when there is none.</summary>
        public bool Delete(string callId, CallHistoryBounds bounds)
        {
            if (!byId.TryGetValue(callId, out var entry))
            {
                return false;
            }

            Remove(callId);
            var score = CallHistoryOrder.Score(entry);
            deleted[callId] = score;
            deletedOrder.Add((score, callId));
            TrimMarks(bounds);
            return true;
        }

        /// <summary>Removes every entry; a call that ended at or before <paramref name="at"/> (Unix ms) is not added again. False when there were none.</summary>
        public bool Clear(long at, CallHistoryBounds bounds)
        {
            var had = byId.Count > 0;
            byId.Clear();
            ordered.Clear();
            clearedAt = Math.Max(at, clearedAt ?? long.MinValue);
            while (deletedOrder.Count > 0 && deletedOrder.Min.Score <= clearedAt)
            {
                deleted.Remove(deletedOrder.Min.CallId);
                deletedOrder.Remove(deletedOrder.Min);
            }

            TrimMarks(bounds);
            return had;
        }

        /// <summary>Marks of entries that would be too old anyway go; at most as many marks as entries are kept (the oldest go first).</summary>
        private void TrimMarks(CallHistoryBounds bounds)
        {
            var oldest = CallHistoryOrder.CeilingMilliseconds(bounds.NotBefore);
            while (deletedOrder.Count > 0 && (deletedOrder.Min.Score < oldest || deletedOrder.Count > bounds.MaxEntries))
            {
                deleted.Remove(deletedOrder.Min.CallId);
                deletedOrder.Remove(deletedOrder.Min);
            }

            if (clearedAt < oldest)
            {
                clearedAt = null;
            }
        }

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

        /// <summary>
        /// Entries that ended at or after <paramref name="oldest"/> and before <paramref name="before"/> (Unix ms), newest
        /// first, and only those after <paramref name="after"/> when given.
        /// </summary>
        public IEnumerable<CallHistoryEntry> NewestFirst(long oldest, long before, CallHistoryCursor? after)
        {
            if (before <= oldest || ordered.Count == 0)
            {
                return [];
            }

            var highest = (Score: before - 1, CallId: "\uffff\uffff");
            if (after is not null && Order.Compare((after.EndedAtMilliseconds, after.CallId), highest) < 0)
            {
                highest = (after.EndedAtMilliseconds, after.CallId);
            }

            return Order.Compare(highest, (oldest, string.Empty)) < 0
                ? []
                : ordered.GetViewBetween((oldest, string.Empty), highest).Reverse()
                    .Where(key => after is null || after.Precedes(key.Score, key.CallId))
                    .Select(key => byId[key.CallId]);
        }
    }
}
