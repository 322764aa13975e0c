using CallServer.Ports;

namespace CallServer.Configuration;

/// <summary><c>History:*</c>: what each user's call history keeps, and how the history outbox is worked.</summary>
public sealed class HistoryOptions
{
    public const string Section = "History";

    /// <summary>Entries kept per user; adding one more drops the oldest.</summary>
    public int MaxEntriesPerUser { get; set; } = 500;

    /// <summary>The oldest an entry may be (by the end of its call): older ones are dropped on write and never returned.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often each node looks for ended calls of other nodes whose writer died (its own are written at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A call record taken by a node that then stops working on it (the node died) is taken by another after this.</summary>
    public TimeSpan ClaimAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Ended calls one node writes to the histories at once.</summary>
    public int MaxConcurrentWrites { get; set; } = 16;

    /// <summary>The bounds of a write or a read made at <paramref name="now"/>.</summary>
    public CallHistoryBounds BoundsAt(DateTimeOffset now) =>
        new(MaxEntriesPerUser, MaxAge >= now - DateTimeOffset.UnixEpoch ? DateTimeOffset.UnixEpoch : now - MaxAge);
}
