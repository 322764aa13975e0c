namespace CallServer.Tests.Infrastructure;

/// <summary>
/// The contract's CallSnapshot as a client reads it. Enumerations are strings here on purpose: a
/// number on the wire would not deserialize, so every test checks that they travel as strings.
/// </summary>
public sealed record CallView(
    string CallId,
    string Direction,
    string LocalAddress,
    string RemoteAddress,
    string State,
    string? EndReason,
    MediaView Media,
    bool LocalHold,
    bool RemoteHold,
    int? StatusCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset? EndedAt,
    long Sequence,
    string? RemoteDisplayName,
    string? OfferKind,
    string? PendingOperationId,
    string? TransferredBy = null,
    string? ReplacesCallId = null,
    bool? Waiting = null,
    IReadOnlyDictionary<string, string>? CustomParameters = null,
    string? EndReasonText = null);

public sealed record MediaView(bool Audio, bool Video, bool LocalVideo, bool RemoteVideo, bool LocalMuted, bool RemoteMuted);

/// <summary>RTCIceCandidateInit.</summary>
public sealed record IceCandidateInit(string? Candidate, string? SdpMid, int? SdpMLineIndex);
