using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;

namespace CallServer.Domain.Commands;

/// <summary>A command on an existing call. Facts the decider needs from I/O travel inside it.</summary>
public abstract record CallCommand;

/// <summary>A command a party sends.</summary>
public abstract record PartyCommand(Requester Requester) : CallCommand;

/// <summary><c>EstablishCall</c>, with the devices of the callee that are connected now.</summary>
public sealed record EstablishCall(Requester Requester, string SdpOffer, CalleeLookup Callee) : PartyCommand(Requester)
{
    /// <summary>Rule 25: the caller's custom parameters, as the client sent them (null: none).</summary>
    public IReadOnlyDictionary<string, string>? CustomParameters { get; init; }
}

public sealed record AcceptCall(Requester Requester, string SdpAnswer) : PartyCommand(Requester)
{
    public IReadOnlyDictionary<string, string>? CustomParameters { get; init; }
}

public sealed record RejectCall(Requester Requester) : PartyCommand(Requester)
{
    public IReadOnlyDictionary<string, string>? CustomParameters { get; init; }
}

public sealed record IgnoreCall(Requester Requester) : PartyCommand(Requester);

/// <summary><c>ForwardCall</c>, with what the directory said of the target.</summary>
public sealed record ForwardCall(Requester Requester, string Target, Address? ParsedTarget, CalleeLookup TargetLookup) : PartyCommand(Requester);

public sealed record EndCall(Requester Requester) : PartyCommand(Requester)
{
    /// <summary>Rule 26: a free text for the other party and the record (null: none).</summary>
    public string? ReasonText { get; init; }

    public IReadOnlyDictionary<string, string>? CustomParameters { get; init; }
}

/// <summary><c>SendDtmf</c> (rule 24): digits relayed to the other party as signaling.</summary>
public sealed record SendDtmf(Requester Requester, string Digits) : PartyCommand(Requester);

/// <summary><c>SendCustomParameters</c> (rule 25) during the call.</summary>
public sealed record SendCustomParameters(Requester Requester, IReadOnlyDictionary<string, string>? CustomParameters) : PartyCommand(Requester);

/// <summary><c>ReportQuality</c> (rule 27): one sample of the party's media quality.</summary>
public sealed record ReportQuality(Requester Requester, QualitySample Sample) : PartyCommand(Requester);

/// <summary><c>HoldCall</c>, <c>UnholdCall</c>, <c>VideoStart</c>, <c>VideoStop</c>; the id is made by the caller of the decider.</summary>
public sealed record StartMediaOperation(Requester Requester, MediaOperation Operation, string OperationId, string SdpOffer) : PartyCommand(Requester);

public sealed record AnswerRenegotiation(Requester Requester, string OperationId, string SdpAnswer) : PartyCommand(Requester);

public sealed record RejectRenegotiation(Requester Requester, string OperationId, string? Reason) : PartyCommand(Requester);

/// <summary><c>PullCall</c>: a device of a party's account that is not in the call takes it over with its own offer.</summary>
public sealed record PullCall(Requester Requester, string OperationId, string SdpOffer) : PartyCommand(Requester);

/// <summary><c>Mute</c> (true) or <c>Unmute</c> (false).</summary>
public sealed record SetMuted(Requester Requester, bool Muted) : PartyCommand(Requester);

/// <summary><c>TransferCall</c>: the other party is to call <paramref name="Target"/> (null: not an address) as call <paramref name="NewCallId"/>, already created.</summary>
public sealed record TransferCall(Requester Requester, string NewCallId, Address? Target) : PartyCommand(Requester);

/// <summary>
/// <c>ConsultativeTransfer</c>, decided on each of the transferor's two calls: the other party of
/// <paramref name="TransfereeCallId"/> is connected to the other party (<paramref name="Target"/>) of
/// <paramref name="TargetCallId"/> by call <paramref name="NewCallId"/>.
/// </summary>
public sealed record ConsultativeTransfer(Requester Requester, string NewCallId, string TransfereeCallId, string TargetCallId, Address Target) : PartyCommand(Requester);

/// <summary>The call a transfer placed rang, was answered or ended unanswered (from that call's outbox).</summary>
public sealed record TransferProgressed(string NewCallId, TransferProgress Progress, EndReason? Reason) : CallCommand;

public sealed record SendIceCandidate(Requester Requester, IceCandidate Candidate) : PartyCommand(Requester);

/// <summary><c>ResumeCall</c> from a new connection of the same user.</summary>
public sealed record ResumeCall(Requester Requester) : PartyCommand(Requester);

/// <summary>
/// A device of the callee's account connected while the call rings that account (woken by a push, or
/// simply opened): it rings too.
/// </summary>
public sealed record DeviceConnected(Requester Requester) : PartyCommand(Requester);

/// <summary>A device's connection closed.</summary>
public sealed record DeviceDisconnected(Requester Requester) : PartyCommand(Requester);

/// <summary>The callee's devices were alerted (the IncomingCall events went out): Dialing → Ringing.</summary>
public sealed record MarkAlerted(int RingGeneration) : CallCommand;

/// <summary>The callee's answer went out to the caller: Answering → InCall.</summary>
public sealed record CompleteAnswer : CallCommand;

/// <summary>A timer the decider asked for came due.</summary>
public sealed record TimerElapsed(CallTimerKind Kind, string Token) : CallCommand;

/// <summary>
/// The store lost the call (Redis restarted without its data): every party that this node last saw in it
/// is told the call ended, as it was last seen. Decided on that last sight, never saved.
/// </summary>
public sealed record CallLost : CallCommand;
