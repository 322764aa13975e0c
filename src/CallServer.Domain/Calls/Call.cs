using System.Collections.Immutable;
using CallServer.Domain.Addresses;
using CallServer.Domain.Sdp;

namespace CallServer.Domain.Calls;

/// <summary>
/// The call record: immutable, versioned. The store saves a new version only over the one it was
/// decided from; <see cref="Version"/> is also the <c>sequence</c> clients see.
/// </summary>
public sealed record Call
{
    public required string CallId { get; init; }

    public long Version { get; init; }

    public required PartyState Caller { get; init; }

    public required PartyState Callee { get; init; }

    public CallPhase Phase { get; init; }

    public OfferKind? OfferKind { get; init; }

    /// <summary>The caller's offer, kept to hand to devices that start ringing later (forward, resume).</summary>
    public string? Offer { get; init; }

    public ImmutableList<CalleeDevice> Devices { get; init; } = [];

    /// <summary>Devices the call was pulled away from (<c>PullCall</c>): each sees it ended <see cref="EndReason.MovedToAnotherDevice"/>.</summary>
    public ImmutableList<MovedDevice> MovedFrom { get; init; } = [];

    /// <summary>A transfer of this call in progress, or the one it ended by (rule 21).</summary>
    public CallTransfer? Transfer { get; init; }

    /// <summary>For a call placed by a transfer: the call it replaces, and who transferred.</summary>
    public TransferOrigin? TransferredFrom { get; init; }

    /// <summary>
    /// For an anonymous caller, the only callees its token allows (null: any registered user): kept so that a
    /// call it is transferred into obeys the same limits as one it dials.
    /// </summary>
    public ImmutableList<Address>? CallerAllowedCallees { get; init; }

    /// <summary>Every account the call was offered to, in order: the loop guard of forwarding.</summary>
    public ImmutableList<Address> ForwardChain { get; init; } = [];

    /// <summary>Caller candidates that arrived before a callee device was bound.</summary>
    public ImmutableList<IceCandidate> CandidatesForCallee { get; init; } = [];

    /// <summary>Candidates of ringing devices, kept until one accepts; the accepting device's go to the caller.</summary>
    public ImmutableList<DeviceCandidate> CandidatesFromDevices { get; init; } = [];

    public PendingOperation? PendingOperation { get; init; }

    /// <summary>Counts the times ringing (re)started, so that a stale ring timer does nothing.</summary>
    public int RingGeneration { get; init; }

    /// <summary>The account whose push registrations were sent a wake-up for this ringing, until it stops ringing there.</summary>
    public Address? WokenAccount { get; init; }

    /// <summary>When <see cref="WokenAccount"/> was woken (for the push → device connected latency).</summary>
    public DateTimeOffset? WokenAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the call first rang (the callee's devices were alerted), for the call record.</summary>
    public DateTimeOffset? RingingAt { get; init; }

    /// <summary>Since when the call is on hold (either side holds); null while neither does.</summary>
    public DateTimeOffset? HeldSince { get; init; }

    /// <summary>The time the call spent on hold before <see cref="HeldSince"/> (either side holding).</summary>
    public TimeSpan HeldFor { get; init; }

    public DateTimeOffset? AnsweredAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Rule 26: the free text the party that ended the call gave (<c>EndCall(callId, reason)</c>), shown to both.</summary>
    public string? EndReasonText { get; init; }

    public bool IsRinging => Phase is CallPhase.Dialing or CallPhase.Ringing;

    public bool IsConnected => Phase == CallPhase.Connected;

    public PartyState Party(CallSide side) => side == CallSide.Caller ? Caller : Callee;

    /// <summary>
    /// When the call moved away from <paramref name="deviceId"/> of <paramref name="side"/> (<c>PullCall</c>), or
    /// null: the device never had it, or has it again now.
    /// </summary>
    public DateTimeOffset? MovedAwayAt(CallSide side, string? deviceId) =>
        deviceId is not null && deviceId != Party(side).DeviceId
            ? MovedFrom.LastOrDefault(moved => moved.Side == side && moved.DeviceId == deviceId)?.MovedAt
            : null;

    public Call WithParty(CallSide side, PartyState party) =>
        side == CallSide.Caller ? this with { Caller = party } : this with { Callee = party };

    public CalleeDevice? Device(string? deviceId) =>
        deviceId is null ? null : Devices.FirstOrDefault(d => d.DeviceId == deviceId);

    /// <summary>The devices still alerting: not bound, not ended on their own.</summary>
    public IEnumerable<CalleeDevice> RingingDevices =>
        IsRinging ? Devices.Where(d => d.LocalEnd is null) : [];
}
