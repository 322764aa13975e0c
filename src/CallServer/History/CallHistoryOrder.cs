using CallServer.Domain.Records;
using CallServer.Ports;

namespace CallServer.History;

/// <summary>
/// The millisecond arithmetic every <see cref="ICallHistoryStore"/> shares, so that the adapters order, page and
/// bound alike: an entry's times are kept to the millisecond (truncated), and it is ordered by its end in Unix
/// milliseconds, then by call id (ordinal).
/// </summary>
public static class CallHistoryOrder
{
    /// <summary>The entry as stored: its times in UTC, truncated to the millisecond, its duration too.</summary>
    public static CallHistoryEntry Normalize(CallHistoryEntry entry) => entry with
    {
        CreatedAt = Truncate(entry.CreatedAt),
        AnsweredAt = entry.AnsweredAt is { } answeredAt ? Truncate(answeredAt) : null,
        EndedAt = Truncate(entry.EndedAt),
        InCallDuration = TimeSpan.FromMilliseconds(Math.Floor(entry.InCallDuration.TotalMilliseconds)),
    };

    /// <summary>The sort key of a (normalized) entry's end.</summary>
    public static long Score(CallHistoryEntry entry) => entry.EndedAt.ToUnixTimeMilliseconds();

    /// <summary>
    /// The least whole millisecond at or after <paramref name="time"/>: an entry ended strictly before
    /// <paramref name="time"/> exactly when its score is below this, and at or after it exactly when its score is this or more.
    /// </summary>
    public static long CeilingMilliseconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return ticks >= 0 ? (ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond : ticks / TimeSpan.TicksPerMillisecond;
    }

    /// <summary>Newest first: by end, then by call id, both descending.</summary>
    public static IOrderedEnumerable<CallHistoryEntry> NewestFirst(IEnumerable<CallHistoryEntry> entries) =>
        entries.OrderByDescending(Score).ThenByDescending(e => e.CallId, StringComparer.Ordinal);

    private static DateTimeOffset Truncate(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return new DateTimeOffset(utc.UtcTicks - (utc.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
    }
}
