using CallServer.Domain.Calls;
using CallServer.Domain.Records;
using CallServer.Domain.Views;

namespace CallServer.Adapters.CallHistory;

/// <summary>A call history entry as stored (JSON, schema 1), with its own mapping to and from <see cref="CallHistoryEntry"/>.</summary>
public sealed record StoredCallHistoryEntry
{
    public const int CurrentSchema = 1;

    public int Schema { get; init; } = CurrentSchema;

    public required string CallId { get; init; }

    /// <summary><c>incoming</c> or <c>outgoing</c>.</summary>
    public required string Direction { get; init; }

    public required string RemoteAddress { get; init; }

    public string? RemoteDisplayName { get; init; }

    public bool Missed { get; init; }

    /// <summary>The <see cref="Domain.Calls.EndReason"/> by name.</summary>
    public required string EndReason { get; init; }

    public int StatusCode { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    public DateTimeOffset EndedAt { get; init; }

    public long DurationMs { get; init; }

    public bool Video { get; init; }

    public static string Write(CallHistoryEntry entry) => StoredJson.Write(new StoredCallHistoryEntry
    {
        CallId = entry.CallId,
        Direction = NameOf(entry.Direction),
        RemoteAddress = entry.RemoteAddress.Value,
        RemoteDisplayName = entry.RemoteDisplayName,
        Missed = entry.Missed,
        EndReason = entry.EndReason.ToString(),
        StatusCode = entry.StatusCode,
        CreatedAt = entry.CreatedAt,
        AnsweredAt = entry.AnsweredAt,
        EndedAt = entry.EndedAt,
        DurationMs = (long)entry.InCallDuration.TotalMilliseconds,
        Video = entry.Video,
    });

    /// <summary>Reads a stored entry; <see cref="StoredFormatException"/> when it is not one this node knows.</summary>
    public static CallHistoryEntry Read(string json)
    {
        var stored = StoredJson.Read<StoredCallHistoryEntry>(json, "call history entry", CurrentSchema);
        return new CallHistoryEntry(
            stored.CallId,
            StoredJson.ParseName<CallDirection>(stored.Direction, NameOf, "call history direction"),
            StoredJson.ParseAddress(stored.RemoteAddress, "call history remote address"),
            stored.RemoteDisplayName,
            stored.Missed,
            StoredJson.ParseName<EndReason>(stored.EndReason, r => r.ToString(), "call history end reason"),
            stored.StatusCode,
            stored.CreatedAt,
            stored.AnsweredAt,
            stored.EndedAt,
            TimeSpan.FromMilliseconds(stored.DurationMs),
            stored.Video);
    }

    /// <summary>The contract's name of a direction.</summary>
    public static string NameOf(CallDirection direction) => direction == CallDirection.Incoming ? "incoming" : "outgoing";
}
