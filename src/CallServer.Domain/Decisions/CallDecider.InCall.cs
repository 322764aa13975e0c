using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Sdp;
using CallServer.Domain.Views;

namespace CallServer.Domain.Decisions;

/// <summary>In a call: hold, unhold, video, their renegotiation, mute, ICE relay (rules 8 to 10).</summary>
public static partial class CallDecider
{
    private const int MaxReasonLength = 256;
    private const int MaxOperationIdLength = 64;

    private static Decision StartOperation(Call call, StartMediaOperation command, DeciderSettings settings, DateTimeOffset now)
    {
        var (side, refusal) = BoundParty(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        if (!call.IsConnected)
        {
            return NotInCall(call);
        }

        if (Busy(call) is { } busy)
        {
            return busy;
        }

        var party = call.Party(side);
        var stateRefusal = command.Operation switch
        {
            MediaOperation.HoldCall when party.Held => Decision.Refuse(ErrorCode.AlreadyOnHold, "the call is already on hold"),
            MediaOperation.UnholdCall when !party.Held => Decision.Refuse(ErrorCode.NotOnHold, "the call is not on hold"),
            MediaOperation.VideoStart when party.SendsVideo => Decision.Refuse(ErrorCode.InvalidState, "video is already being sent"),
            MediaOperation.VideoStop when !party.SendsVideo => Decision.Refuse(ErrorCode.InvalidState, "no video is being sent"),
            _ => null,
        };
        if (stateRefusal is not null)
        {
            return stateRefusal;
        }

        var (offer, invalid) = ParseOperation(command.OperationId, command.SdpOffer);
        if (invalid is not null)
        {
            return invalid;
        }

        var offerRefusal = CheckOfferFits(command.Operation, offer!);
        if (offerRefusal is not null)
        {
            return Decision.Refuse(offerRefusal);
        }

        return OpenOperation(call, new PendingOperation(command.OperationId, command.Operation, side, command.SdpOffer), settings, now);
    }

    /// <summary>An operation's id and offer (rule 15): a usable id, an offer that parses.</summary>
    private static (SdpSummary? Offer, Decision? Refusal) ParseOperation(string operationId, string sdpOffer)
    {
        if (string.IsNullOrWhiteSpace(operationId) || operationId.Length > MaxOperationIdLength)
        {
            return (null, Decision.Refuse(ErrorCode.InvalidArgument, "the operation id is missing or too long"));
        }

        var (offer, error) = SdpParser.Parse(sdpOffer);
        return error is null ? (offer, null) : (null, Decision.Refuse(error));
    }

    /// <summary>
    /// Opens <paramref name="operation"/> (rules 9, 10): pending on the call, the other party asked to
    /// renegotiate, the operation timer armed. Every operation (hold, unhold, video, pull) starts here.
    /// </summary>
    private static Decision OpenOperation(Call call, PendingOperation operation, DeciderSettings settings, DateTimeOffset now) =>
        Decision.Changes(
            call,
            call with { PendingOperation = operation },
            [new RenegotiationRequestedNotification(CallViewer.PartyOf(call, operation.Initiator.Other()), operation.OperationId, operation.Operation, operation.SdpOffer)],
            [new TimerRequest(CallTimerKind.Operation, operation.OperationId, now + settings.OperationTimeout)]);

    /// <summary>The offer must do what the operation says (RFC 3264 §8.4 for hold).</summary>
    private static DomainError? CheckOfferFits(MediaOperation operation, SdpSummary offer) => operation switch
    {
        MediaOperation.HoldCall when offer.ReceivesAudio =>
            DomainError.Of(ErrorCode.InvalidSdp, "a hold offer sets its audio to sendonly or inactive"),
        MediaOperation.UnholdCall when !offer.ReceivesAudio =>
            DomainError.Of(ErrorCode.InvalidSdp, "an unhold offer receives audio again (sendrecv or recvonly)"),
        MediaOperation.VideoStart when !offer.SendsVideo =>
            DomainError.Of(ErrorCode.InvalidSdp, "a video start offer sends video (sendrecv or sendonly)"),
        MediaOperation.VideoStop when offer.SendsVideo =>
            DomainError.Of(ErrorCode.InvalidSdp, "a video stop offer sends no video"),
        _ => null,
    };

    private static (PendingOperation? Operation, CallSide Side, Decision? Refusal) PendingFor(Call call, Requester requester, string operationId)
    {
        var (side, refusal) = BoundParty(call, requester);
        if (refusal is not null)
        {
            return (null, side, refusal);
        }

        if (call.PendingOperation is not { } pending || pending.OperationId != operationId)
        {
            return (null, side, Decision.Refuse(ErrorCode.InvalidState, "no such operation is waiting for an answer"));
        }

        if (pending.Initiator == side)
        {
            return (null, side, Decision.Refuse(ErrorCode.Forbidden, "the other party answers an operation, not the one that started it"));
        }

        return (pending, side, null);
    }

    private static Decision AnswerRenegotiation(Call call, AnswerRenegotiation command, DateTimeOffset now)
    {
        var (pending, side, refusal) = PendingFor(call, command.Requester, command.OperationId);
        if (refusal is not null)
        {
            return refusal;
        }

        var (answer, error) = SdpParser.Parse(command.SdpAnswer);
        if (error is not null)
        {
            return Decision.Refuse(error);
        }

        if (pending!.Operation == MediaOperation.PullCall)
        {
            return CompletePull(call, pending, command.SdpAnswer, now);
        }

        var initiator = call.Party(pending.Initiator);
        var answerer = call.Party(side);
        (initiator, answerer) = pending.Operation switch
        {
            MediaOperation.HoldCall => (initiator with { Held = true }, answerer),
            MediaOperation.UnholdCall => (initiator with { Held = false }, answerer),
            MediaOperation.VideoStart => (initiator with { SendsVideo = answer!.ReceivesVideo }, answerer with { SendsVideo = answer.SendsVideo }),
            _ => (initiator with { SendsVideo = false }, answerer with { SendsVideo = answer!.SendsVideo }),
        };
        var completed = HoldClock.Track(call, call.WithParty(pending.Initiator, initiator).WithParty(side, answerer) with { PendingOperation = null }, now);
        var notifications = new List<CallNotification>
        {
            new CallOperationCompletedNotification(CallViewer.PartyOf(call, pending.Initiator), pending.OperationId, pending.Operation, Succeeded: true, Error: null, command.SdpAnswer),
        };
        if (pending.Operation is MediaOperation.HoldCall or MediaOperation.UnholdCall)
        {
            notifications.Add(new CallStatusChangedNotification(CallViewer.PartyOf(call, CallSide.Caller)));
            notifications.Add(new CallStatusChangedNotification(CallViewer.PartyOf(call, CallSide.Callee)));
        }
        else if (completed.Caller.SendsVideo != call.Caller.SendsVideo || completed.Callee.SendsVideo != call.Callee.SendsVideo)
        {
            notifications.Add(new MediaAttributesChangedNotification(CallViewer.PartyOf(call, CallSide.Caller)));
            notifications.Add(new MediaAttributesChangedNotification(CallViewer.PartyOf(call, CallSide.Callee)));
        }

        return Decision.Changes(call, completed, notifications);
    }

    private static Decision RejectRenegotiation(Call call, RejectRenegotiation command)
    {
        var (pending, _, refusal) = PendingFor(call, command.Requester, command.OperationId);
        if (refusal is not null)
        {
            return refusal;
        }

        if (command.Reason is { Length: > MaxReasonLength })
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, $"the reason is longer than {MaxReasonLength} characters");
        }

        var reason = string.IsNullOrWhiteSpace(command.Reason) ? "the other party refused the operation" : command.Reason;
        return Decision.Changes(
            call,
            call with { PendingOperation = null },
            [OperationFailed(call, pending!, ErrorCode.Rejected, reason)]);
    }

    private static Decision SetMuted(Call call, SetMuted command)
    {
        var (side, refusal) = BoundParty(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        if (call.Phase is not (CallPhase.Answering or CallPhase.Connected))
        {
            return NotInCall(call);
        }

        var party = call.Party(side);
        if (party.Muted == command.Muted)
        {
            return Decision.Unchanged(call);
        }

        return Decision.Changes(
            call,
            call.WithParty(side, party with { Muted = command.Muted }),
            [
                new MediaAttributesChangedNotification(CallViewer.PartyOf(call, CallSide.Caller)),
                new MediaAttributesChangedNotification(CallViewer.PartyOf(call, CallSide.Callee)),
            ]);
    }

    private static Decision RelayCandidate(Call call, SendIceCandidate command)
    {
        // The party first: a stranger learns nothing of the call, not even that its candidate is bad.
        if (SideOf(call, command.Requester.Account) is null)
        {
            return NotFound;
        }

        var candidate = command.Candidate;
        if (candidate.Candidate is null || (candidate.SdpMid is null && candidate.SdpMLineIndex is null))
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "a candidate needs candidate and sdpMid or sdpMLineIndex");
        }

        if (candidate.Candidate.Length + (candidate.SdpMid?.Length ?? 0) > IceCandidate.MaxLength)
        {
            return Decision.Refuse(ErrorCode.PayloadTooLarge, $"a candidate is at most {IceCandidate.MaxLength} characters");
        }

        if (candidate.SdpMLineIndex is < 0 or > 64 || (candidate.Candidate.Length > 0 && !candidate.Candidate.StartsWith("candidate:", StringComparison.Ordinal)))
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "not an ICE candidate (RFC 8839: candidate:…)");
        }

        if (call.IsRinging && call.RingingDevices.FirstOrDefault(d => d.DeviceId == command.Requester.DeviceId && d.Account == command.Requester.Account) is { } ringing)
        {
            // A ringing device may trickle before it accepts: kept, and handed to the caller if it does.
            // At most so many per device, and for all the call's ringing devices together: the record of a
            // call ringing on many devices stays small.
            return call.CandidatesFromDevices.Count >= IceCandidate.MaxPendingFromDevices
                ? Decision.Refuse(ErrorCode.PayloadTooLarge, $"at most {IceCandidate.MaxPendingFromDevices} candidates are kept from all ringing devices together")
                : call.CandidatesFromDevices.Count(c => c.DeviceId == ringing.DeviceId) >= IceCandidate.MaxPending
                ? Decision.Refuse(ErrorCode.PayloadTooLarge, $"at most {IceCandidate.MaxPending} candidates are kept before the call is answered")
                : Decision.Changes(call, call with { CandidatesFromDevices = call.CandidatesFromDevices.Add(new DeviceCandidate(ringing.DeviceId, candidate)) }, []);
        }

        if (RelayDuringPull(call, command) is { } duringPull)
        {
            return duringPull;
        }

        var (side, refusal) = BoundParty(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        if (call.Phase == CallPhase.Initial)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "establish the call before sending candidates");
        }

        if (side == CallSide.Callee)
        {
            return Decision.Unchanged(call, new IceCandidateNotification(CallViewer.CallerOf(call), candidate));
        }

        if (call.Callee.DeviceId is { } calleeDevice)
        {
            return Decision.Unchanged(call, new IceCandidateNotification(CallViewer.CalleeDevice(calleeDevice), candidate));
        }

        // Kept for the device that will accept (and handed to it then).
        return call.CandidatesForCallee.Count >= IceCandidate.MaxPending
            ? Decision.Refuse(ErrorCode.PayloadTooLarge, $"at most {IceCandidate.MaxPending} candidates are kept before the call is answered")
            : Decision.Changes(call, call with { CandidatesForCallee = call.CandidatesForCallee.Add(candidate) }, []);
    }
}
