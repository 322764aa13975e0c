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

    /// <summary>Its user deleted that entry, or cleared its history after that call ended: a redelivered record does not bring it back.</summary>
    Deleted,
}

/// <summary>An entry for the history of <paramref name="Account"/> (<see cref="ICallHistoryStore.AddAllAsync"/>).</summary>
public sealed record CallHistoryAddition(Address Account, CallHistoryEntry Entry);

/// <summary>What an account's history keeps: its <paramref name="MaxEntries"/> newest entries, none that ended before <paramref name="NotBefore"/>.</summary>
public sealed record CallHistoryBounds(int MaxEntries, DateTimeOffset NotBefore);

/// <summary>One page of a history: at most <paramref name="Limit"/> entries, only those that ended strictly before <paramref name="Before"/> when given.</summary>
public sealed record CallHistoryPage(int Limit, DateTimeOffset? Before)
{
    /// <summary>Only the entries after this one in the history's order (newest first): unique, so ties of the end time are neither skipped nor repeated.</summary>
    public CallHistoryCursor? After { get; init; }
}

/// <summary>
/// A place in a history's order (newest first: by end in Unix milliseconds, then by call id, both descending): the
/// entry it names, and what <c>next</c> pages from. On the wire an opaque string (<see cref="ToString"/>).
/// </summary>
public sealed record CallHistoryCursor(long EndedAtMilliseconds, string CallId)
{
    /// <summary>The longest call id a cursor names (as the hub's call ids).</summary>
    public const int MaxCallIdLength = 64;

    /// <summary>Whether an entry of end <paramref name="score"/> and <paramref name="callId"/> comes after this cursor (is older in the order).</summary>
    public bool Precedes(long score, string callId) =>
        score < EndedAtMilliseconds || (score == EndedAtMilliseconds && string.CompareOrdinal(callId, CallId) < 0);

    public override string ToString() => EndedAtMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) + "_" + CallId;

    /// <summary>The cursor <paramref name="text"/> writes (<see cref="ToString"/>); null when it is no cursor.</summary>
    public static CallHistoryCursor? Parse(string text)
    {
        var separator = text.IndexOf('_', StringComparison.Ordinal);
        if (separator is < 1 or > 19
            || !text.AsSpan(0, separator).ToString().All(char.IsAsciiDigit)
            || !long.TryParse(text.AsSpan(0, separator), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var milliseconds))
        {
            return null;
        }

        var callId = text[(separator + 1)..];
        return callId.Length is < 1 or > MaxCallIdLength || callId.Any(char.IsControl) ? null : new CallHistoryCursor(milliseconds, callId);
    }
}

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

    /// <summary>
    /// Adds each of <paramref name="additions"/> as <see cref="AddAsync"/> does, each in an atomic step of its own; the
    /// results in the same order. A store may send them together (the parties of one call: one round trip).
    /// </summary>
    async Task<IReadOnlyList<CallHistoryAdd>> AddAllAsync(IReadOnlyList<CallHistoryAddition> additions, CallHistoryBounds bounds, CancellationToken cancellationToken = default) =>
        await Task.WhenAll(additions.Select(addition => AddAsync(addition.Account, addition.Entry, bounds, cancellationToken)));

    /// <summary>One page of the history of <paramref name="account"/>, newest first; never an entry that ended before <paramref name="notBefore"/>.</summary>
    Task<IReadOnlyList<CallHistoryEntry>> ListAsync(Address account, CallHistoryPage page, DateTimeOffset notBefore, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes the entry of <paramref name="callId"/>; false when the history has none. It stays removed: a later
    /// <see cref="AddAsync"/> of that call is <see cref="CallHistoryAdd.Deleted"/> while such an entry could still be
    /// kept (within <paramref name="bounds"/>: the mark goes when the entry would be too old anyway, and an account keeps
    /// at most as many marks as entries).
    /// </summary>
    Task<bool> RemoveAsync(Address account, string callId, CallHistoryBounds bounds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes every entry of the account, its user's wish at <paramref name="clearedAt"/>: a later <see cref="AddAsync"/>
    /// of a call that ended then or before is <see cref="CallHistoryAdd.Deleted"/> (the mark goes when such an entry would
    /// be too old anyway, <paramref name="bounds"/>). False when it had no entry.
    /// </summary>
    Task<bool> ClearAsync(Address account, DateTimeOffset clearedAt, CallHistoryBounds bounds, CancellationToken cancellationToken = default);

    /// <summary>The account is gone (its user was deleted): its history and its marks of deleted entries go too. False when it had no entry.</summary>
    Task<bool> DeleteAsync(Address account, CancellationToken cancellationToken = default);
}
