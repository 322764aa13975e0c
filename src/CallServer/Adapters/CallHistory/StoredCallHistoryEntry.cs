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

    /// <summary>Added within schema 1 (issue 16): the call a transferred call came from; absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public StoredHistoryTransfer? TransferredFrom { get; init; }

    /// <summary>Added within schema 1 (issue 16): the call that replaced this one by a transfer; absent otherwise.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public StoredHistoryTransfer? TransferredTo { get; init; }

    /// <summary>Added within schema 1 (issue 16): when this user's call moved to another of its devices; absent when never.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public List<DateTimeOffset>? PulledAt { get; init; }

    /// <summary>Added within schema 1 (issue 18): the end reason text, each side's custom parameters and quality; absent when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? EndReasonText { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? CallerParameters { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? CalleeParameters { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Calls.StoredQuality? CallerQuality { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public Calls.StoredQuality? CalleeQuality { get; init; }

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
        TransferredFrom = StoredHistoryTransfer.Of(entry.TransferredFrom),
        TransferredTo = StoredHistoryTransfer.Of(entry.TransferredTo),
        PulledAt = entry.PulledAt.Count == 0 ? null : [.. entry.PulledAt],
        EndReasonText = entry.EndReasonText,
        CallerParameters = entry.CallerParameters.IsEmpty ? null : new(entry.CallerParameters.Values, StringComparer.Ordinal),
        CalleeParameters = entry.CalleeParameters.IsEmpty ? null : new(entry.CalleeParameters.Values, StringComparer.Ordinal),
        CallerQuality = Calls.StoredQualityFormat.ToStored(entry.CallerQuality),
        CalleeQuality = Calls.StoredQualityFormat.ToStored(entry.CalleeQuality),
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
            stored.Video)
        {
            TransferredFrom = stored.TransferredFrom?.ToTransfer("transferredFrom"),
            TransferredTo = stored.TransferredTo?.ToTransfer("transferredTo"),
            PulledAt = stored.PulledAt is { Count: > 0 } pulled ? pulled : Array.Empty<DateTimeOffset>(),
            EndReasonText = stored.EndReasonText,
            CallerParameters = stored.CallerParameters is { } callerParameters ? CustomParameters.Of(callerParameters) : CustomParameters.None,
            CalleeParameters = stored.CalleeParameters is { } calleeParameters ? CustomParameters.Of(calleeParameters) : CustomParameters.None,
            CallerQuality = Calls.StoredQualityFormat.ToDomain(stored.CallerQuality),
            CalleeQuality = Calls.StoredQualityFormat.ToDomain(stored.CalleeQuality),
        };
    }

    /// <summary>The contract's name of a direction.</summary>
    public static string NameOf(CallDirection direction) => direction == CallDirection.Incoming ? "incoming" : "outgoing";
}

/// <summary>A transfer in a stored history entry (addresses as their text).</summary>
public sealed record StoredHistoryTransfer
{
    public required string CallId { get; init; }

    public required string TransferredBy { get; init; }

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Target { get; init; }

    public static StoredHistoryTransfer? Of(CallRecordTransfer? transfer) =>
        transfer is null ? null : new() { CallId = transfer.CallId, TransferredBy = transfer.TransferredBy.Value, Target = transfer.Target?.Value };

    public CallRecordTransfer ToTransfer(string field) => new(
        CallId,
        StoredJson.ParseAddress(TransferredBy, $"call history {field}.transferredBy"),
        Target is null ? null : StoredJson.ParseAddress(Target, $"call history {field}.target"));
}
