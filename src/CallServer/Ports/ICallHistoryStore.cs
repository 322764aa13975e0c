using CallServer.Domain.Addresses;
using CallServer.Domain.Records;

namespace CallServer.Ports;

/// <summary>What became of a <see cref="ICallHistoryStore.AddAsync"/>.</summary>
public enum CallHistoryAdd
{
    Added,

    /// <summary>The account's history already has an entry of that call (the outbox delivers at least once); nothing changed.</summary>
    AlreadyThere,

    /// <summary>The entry is outside the bounds (it ended before their oldest, or the account has as many newer ones as it may keep); not kept.</summary>
    Dropped,
}

/// <summary>What an account's history keeps: its <paramref name="MaxEntries"/> newest entries, none that ended before <paramref name="NotBefore"/>.</summary>
public sealed record CallHistoryBounds(int MaxEntries, DateTimeOffset NotBefore);

/// <summary>One page of a history: at most <paramref name="Limit"/> entries, only those that ended strictly before <paramref name="Before"/> when given.</summary>
public sealed record CallHistoryPage(int Limit, DateTimeOffset? Before);

/// <summary>
/// Each account's call history (memory on one node, Redis in a cluster), newest first: ordered by the end of
/// the call, then by call id (both descending). Times are kept to the millisecond.
/// </summary>
public interface ICallHistoryStore
{
    /// <summary>
    /// Adds <paramref name="entry"/> to the history of <paramref name="account"/> unless it has one of that call
    /// already, and drops what is outside <paramref name="bounds"/> (older entries first), in one atomic step.
    /// </summary>
    Task<CallHistoryAdd> AddAsync(Address account, CallHistoryEntry entry, CallHistoryBounds bounds, CancellationToken cancellationToken = default);

    /// <summary>One page of the history of <paramref name="account"/>, newest first; never an entry that ended before <paramref name="notBefore"/>.</summary>
    Task<IReadOnlyList<CallHistoryEntry>> ListAsync(Address account, CallHistoryPage page, DateTimeOffset notBefore, CancellationToken cancellationToken = default);

    /// <summary>Removes the entry of <paramref name="callId"/>; false when the history has none.</summary>
    Task<bool> RemoveAsync(Address account, string callId, CancellationToken cancellationToken = default);

    /// <summary>Removes every entry of the account; false when it had none.</summary>
    Task<bool> ClearAsync(Address account, CancellationToken cancellationToken = default);
}
