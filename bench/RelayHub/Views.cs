using System.Text.Json.Serialization;

namespace RelayHub;

// The shape of CallServer's CallSnapshot (src/CallServer.Domain/Views), copied so that the relay writes the
// same JSON: the same properties in the same order, enums as strings.

public sealed record CallView(
    string CallId,
    CallDirection Direction,
    string LocalAddress,
    string RemoteAddress,
    CallState State,
    EndReason? EndReason,
    CallMedia Media,
    bool LocalHold,
    bool RemoteHold,
    int? StatusCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? EndedAt,
    long Sequence)
{
    public string? RemoteDisplayName { get; init; }

    public OfferKind? OfferKind { get; init; }

    public string? PendingOperationId { get; init; }
}

public sealed record CallMedia(bool Audio, bool Video, bool LocalVideo, bool RemoteVideo, bool LocalMuted, bool RemoteMuted);

public enum CallDirection
{
    [JsonStringEnumMemberName("outgoing")]
    Outgoing,

    [JsonStringEnumMemberName("incoming")]
    Incoming,
}

public enum CallState
{
    Initial,
    Dialing,
    Ringing,
    Answering,
    InCall,
    OnHold,
    RemotelyHeld,
    OnDoubleHold,
    Ended,
}

public enum EndReason
{
    EndedLocally,
    EndedRemotely,
    Rejected,
    Ignored,
    NoAnswer,
    Unavailable,
    Forwarded,
    AnsweredElsewhere,
    Canceled,
    ConnectionLost,
    Failed,
}

public enum OfferKind
{
    Audio,
    AudioWithInactiveVideo,
    Video,
}
