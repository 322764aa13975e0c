using System.Text.Json;
using System.Text.Json.Serialization;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Records;

namespace CallServer.Outbox;

/// <summary>
/// The call record on the wire (webhook <c>call.ended</c>'s <c>data.record</c>, the history topic):
/// camelCase, addresses as their normalised text, times in ISO 8601 UTC, durations in seconds to the
/// millisecond. <see cref="ToRecord"/> reads it back, refusing anything a writer never makes.
/// </summary>
public record CallRecordPayload
{
    public required string CallId { get; init; }

    public required string Caller { get; init; }

    public string? CallerDisplayName { get; init; }

    public required bool CallerAnonymous { get; init; }

    public required string Callee { get; init; }

    public string? AnsweredBy { get; init; }

    public required IReadOnlyList<string> ForwardChain { get; init; }

    public required DateTime CreatedAt { get; init; }

    public DateTime? RingingAt { get; init; }

    public DateTime? AnsweredAt { get; init; }

    public required DateTime EndedAt { get; init; }

    public required double DurationSeconds { get; init; }

    public required CallRecordEndPayload CallerEnd { get; init; }

    public required CallRecordEndPayload CalleeEnd { get; init; }

    public required bool Video { get; init; }

    public required double HoldSeconds { get; init; }

    /// <summary>
    /// Whether the callee was sent the offer (records written before it existed: true). Settable, not
    /// init-only: the source-generated reader sets a missing init-only property to its type's default.
    /// </summary>
    public bool Offered { get; set; } = true;

    /// <summary>Added (issue 16): each move of a party's call to another of its devices (<c>PullCall</c>); absent when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<CallRecordMovePayload>? PulledFrom { get; init; }

    /// <summary>Added (issue 16): the call this one replaced by a transfer, and who transferred; absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CallRecordTransferPayload? TransferredFrom { get; init; }

    /// <summary>Added (issue 16): the call that replaced this one by a transfer, who transferred, and the target; absent otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CallRecordTransferPayload? TransferredTo { get; init; }

    /// <summary>Added (issue 18): the free text given by the party that ended the call; absent when none.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? EndReasonText { get; init; }

    /// <summary>Added (issue 18): each side's custom parameters (an empty object for a side that sent none); absent when neither sent any.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PartiesPayload<IReadOnlyDictionary<string, string>>? CustomParameters { get; init; }

    /// <summary>Added (issue 18): each side's quality reports (null for a side that sent none); absent when neither sent any.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PartiesPayload<CallQualityPayload>? Quality { get; init; }

    public static CallRecordPayload Of(CallRecord record) => new()
    {
        CallId = record.CallId,
        Caller = record.Caller.Value,
        CallerDisplayName = record.CallerDisplayName,
        CallerAnonymous = record.CallerAnonymous,
        Callee = record.Callee.Value,
        AnsweredBy = record.AnsweredBy?.Value,
        ForwardChain = [.. record.ForwardChain.Select(address => address.Value)],
        CreatedAt = record.CreatedAt.UtcDateTime,
        RingingAt = record.RingingAt?.UtcDateTime,
        AnsweredAt = record.AnsweredAt?.UtcDateTime,
        EndedAt = record.EndedAt.UtcDateTime,
        DurationSeconds = Seconds(record.InCallDuration),
        CallerEnd = CallRecordEndPayload.Of(record.CallerEnd),
        CalleeEnd = CallRecordEndPayload.Of(record.CalleeEnd),
        Video = record.Video,
        HoldSeconds = Seconds(record.TimeOnHold),
        Offered = record.Offered,
        PulledFrom = record.PulledFrom.Count == 0 ? null : [.. record.PulledFrom.Select(move => new CallRecordMovePayload { Side = move.Side.ToString(), MovedAt = move.MovedAt.UtcDateTime })],
        TransferredFrom = CallRecordTransferPayload.Of(record.TransferredFrom),
        TransferredTo = CallRecordTransferPayload.Of(record.TransferredTo),
        EndReasonText = record.EndReasonText,
        CustomParameters = record.CallerParameters.IsEmpty && record.CalleeParameters.IsEmpty
            ? null
            : new() { Caller = record.CallerParameters.Values, Callee = record.CalleeParameters.Values },
        Quality = record.CallerQuality is null && record.CalleeQuality is null
            ? null
            : new() { Caller = CallQualityPayload.Of(record.CallerQuality), Callee = CallQualityPayload.Of(record.CalleeQuality) },
    };

    /// <summary>The domain's record; <see cref="JsonException"/> for an address that is not normalised, an unknown end reason or a duration that is none.</summary>
    public CallRecord ToRecord() => new(
        Text(CallId, "callId"),
        AddressOf(Caller, "caller"),
        CallerDisplayName,
        CallerAnonymous,
        AddressOf(Callee, "callee"),
        AnsweredBy is null ? null : AddressOf(AnsweredBy, "answeredBy"),
        [.. (ForwardChain ?? throw new JsonException("the call record has no forwardChain")).Select((address, i) => AddressOf(address, $"forwardChain[{i}]"))],
        OutboxJson.Instant(CreatedAt),
        RingingAt is { } ringingAt ? OutboxJson.Instant(ringingAt) : null,
        AnsweredAt is { } answeredAt ? OutboxJson.Instant(answeredAt) : null,
        OutboxJson.Instant(EndedAt),
        Duration(DurationSeconds, "durationSeconds"),
        (CallerEnd ?? throw new JsonException("the call record has no callerEnd")).ToEnd("callerEnd"),
        (CalleeEnd ?? throw new JsonException("the call record has no calleeEnd")).ToEnd("calleeEnd"),
        Video,
        Duration(HoldSeconds, "holdSeconds"),
        Offered)
    {
        PulledFrom = PulledFrom is not { Count: > 0 } moves ? [] : [.. moves.Select((move, i) => move.ToMove($"pulledFrom[{i}]"))],
        TransferredFrom = TransferredFrom?.ToTransfer("transferredFrom"),
        TransferredTo = TransferredTo?.ToTransfer("transferredTo"),
        EndReasonText = EndReasonText,
        CallerParameters = CustomParameters?.Caller is { } callerParameters ? Domain.Calls.CustomParameters.Of(callerParameters) : Domain.Calls.CustomParameters.None,
        CalleeParameters = CustomParameters?.Callee is { } calleeParameters ? Domain.Calls.CustomParameters.Of(calleeParameters) : Domain.Calls.CustomParameters.None,
        CallerQuality = Quality?.Caller?.ToQuality("quality.caller"),
        CalleeQuality = Quality?.Callee?.ToQuality("quality.callee"),
    };

    /// <summary>The address in <paramref name="field"/>: a normalised address text.</summary>
    public static Address AddressOf(string? text, string field) =>
        text is not null && Address.TryParse(text, "invalid", out var address) && address.Value == text
            ? address
            : throw new JsonException($"the call record's {field} '{text}' is not a normalised address");

    private static string Text(string? text, string field) =>
        string.IsNullOrEmpty(text) ? throw new JsonException($"the call record has no {field}") : text;


    private static double Seconds(TimeSpan duration) => Math.Round(duration.TotalSeconds, 3);

    private static TimeSpan Duration(double seconds, string field) =>
        double.IsFinite(seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromMilliseconds(Math.Round(seconds * 1000))
            : throw new JsonException($"the call record's {field} is not a duration");
}

/// <summary>One move of a party's call to another of its devices: the side (<c>Caller</c> or <c>Callee</c>) and when.</summary>
public sealed record CallRecordMovePayload
{
    public required string Side { get; init; }

    public required DateTime MovedAt { get; init; }

    public CallRecordMove ToMove(string field) =>
        Enum.TryParse<CallSide>(Side, ignoreCase: false, out var side) && Enum.IsDefined(side) && Side == side.ToString()
            ? new CallRecordMove(side, OutboxJson.Instant(MovedAt))
            : throw new JsonException($"the call record's {field}.side '{Side}' is not Caller or Callee");
}

/// <summary>A transfer the call took part in: the other call's id, who transferred, and (for the call replaced) the target.</summary>
public sealed record CallRecordTransferPayload
{
    public required string CallId { get; init; }

    public required string TransferredBy { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Target { get; init; }

    public static CallRecordTransferPayload? Of(CallRecordTransfer? transfer) => transfer is null
        ? null
        : new() { CallId = transfer.CallId, TransferredBy = transfer.TransferredBy.Value, Target = transfer.Target?.Value };

    public CallRecordTransfer ToTransfer(string field) => new(
        string.IsNullOrEmpty(CallId) ? throw new JsonException($"the call record's {field} has no callId") : CallId,
        CallRecordPayload.AddressOf(TransferredBy, field + ".transferredBy"),
        Target is null ? null : CallRecordPayload.AddressOf(Target, field + ".target"));
}

/// <summary>How one side's call ended: the end reason's name and the status code.</summary>
public sealed record CallRecordEndPayload
{
    public required string Reason { get; init; }

    public required int StatusCode { get; init; }

    public static CallRecordEndPayload Of(CallRecordEnd end) => new() { Reason = end.Reason.ToString(), StatusCode = end.StatusCode };

    public CallRecordEnd ToEnd(string field) =>
        Enum.GetValues<EndReason>().FirstOrDefault(reason => reason.ToString() == Reason, (EndReason)(-1)) is var reason && reason != (EndReason)(-1)
            ? new CallRecordEnd(reason, StatusCode)
            : throw new JsonException($"the call record's {field}.reason '{Reason}' is not an end reason");
}
