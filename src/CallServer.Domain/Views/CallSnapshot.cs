using CallServer.Domain.Calls;
using CallServer.Domain.Sdp;

namespace CallServer.Domain.Views;

/// <summary>A call as one party sees it; what every event and query carries.</summary>
public sealed record CallSnapshot(
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
    /// <summary>Added: the other party's display name, when it gave one (anonymous callers may).</summary>
    public string? RemoteDisplayName { get; init; }

    /// <summary>Added: which of the seeds' offers set the call up (null before <c>EstablishCall</c>).</summary>
    public OfferKind? OfferKind { get; init; }

    /// <summary>Added: an operation waiting for an answer, if any.</summary>
    public string? PendingOperationId { get; init; }

    /// <summary>Added (issue 16): for a call placed by a transfer, who transferred it.</summary>
    public string? TransferredBy { get; init; }

    /// <summary>Added (issue 16): for a call placed by a transfer, the call of this party it replaces (for the target of a blind transfer, none).</summary>
    public string? ReplacesCallId { get; init; }

    /// <summary>Added (issue 18, rule 22): true for a callee device that was in another call when this one rang it (call waiting); absent otherwise.</summary>
    public bool? Waiting { get; init; }

    /// <summary>Added (issue 18, rule 25): the other party's custom parameters so far; absent when none.</summary>
    public IReadOnlyDictionary<string, string>? CustomParameters { get; init; }

    /// <summary>Added (issue 18, rule 26): the free text given by the party that ended the call; absent when none.</summary>
    public string? EndReasonText { get; init; }
}
