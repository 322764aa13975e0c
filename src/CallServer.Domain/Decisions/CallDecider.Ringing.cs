using System.Collections.Immutable;
using System.Globalization;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Sdp;
using CallServer.Domain.Views;

namespace CallServer.Domain.Decisions;

/// <summary>Setting a call up: establish, ring, accept, reject, ignore, forward (rules 1 to 7).</summary>
public static partial class CallDecider
{
    private static Decision Establish(Call call, EstablishCall command, DeciderSettings settings, DateTimeOffset now)
    {
        var (side, refusal) = BoundParty(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        if (side != CallSide.Caller)
        {
            return Decision.Refuse(ErrorCode.Forbidden, "only the caller establishes a call");
        }

        if (call.Phase != CallPhase.Initial)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call was already established");
        }

        var (offer, error) = SdpParser.Parse(command.SdpOffer);
        if (error is not null)
        {
            return Decision.Refuse(error);
        }

        var (parameters, parametersError) = MergedParameters(call.Caller, command.CustomParameters);
        if (parametersError is not null)
        {
            return Decision.Refuse(parametersError);
        }

        var offered = call with
        {
            Caller = call.Caller with { SendsVideo = offer!.SendsVideo, CustomParameters = parameters! },
            OfferKind = offer.OfferKind,
            Offer = command.SdpOffer,
        };
        // Rule 21b: the call of a consultative transfer is offered to the target's device in the consultation
        // call only (which accepts it without ringing), never woken or rung elsewhere.
        var lookup = call.TransferredFrom?.TargetDevice is { } targetDevice
            ? command.Callee with { Devices = [.. command.Callee.Devices.Where(d => d == targetDevice)], Wakeable = false }
            : command.Callee;
        if (lookup.RingAccount is not { } ringAccount || (lookup.Devices.Count == 0 && !lookup.Wakeable))
        {
            // Rule 6: no device to ring, and none to wake by a push.
            return Finish(call, offered, new CallEnd(EndReason.Unavailable, CallStatusCodes.Unavailable), new CallEnd(EndReason.Unavailable, CallStatusCodes.Unavailable), now);
        }

        var (devices, busy) = DevicesToRing(lookup, ringAccount, exempt: call.TransferredFrom?.TargetDevice);
        if (busy)
        {
            // Rule 22: every connected device is in another call, the policy is Busy, and there is no phone to wake.
            var busyHere = new CallEnd(EndReason.Busy, CallStatusCodes.BusyHere);
            return Finish(call, offered with { Callee = call.Callee with { Account = ringAccount } }, busyHere, busyHere, now);
        }

        var generation = call.RingGeneration + 1;
        var dialing = offered with
        {
            Phase = CallPhase.Dialing,
            Callee = call.Callee with { Account = ringAccount },
            Devices = call.Devices.AddRange(devices),
            RingGeneration = generation,
            WokenAccount = lookup.Wakeable ? ringAccount : null,
            WokenAt = lookup.Wakeable ? now : null,
        };
        var notifications = new List<CallNotification> { new CallStatusChangedNotification(CallViewer.CallerOf(call)) };
        notifications.AddRange(devices.Select(d => new IncomingCallNotification(CallViewer.CalleeDevice(d.DeviceId), command.SdpOffer)));
        var ringTimer = RingTimer(generation, settings, now);
        return Decision.Changes(
            call,
            dialing,
            notifications,
            [ringTimer],
            [new MarkAlerted(generation)],
            lookup.Wakeable ? [new WakeAccount(ringAccount, ringTimer.DueAt)] : []);
    }

    private static Decision MarkAlerted(Call call, MarkAlerted command, DateTimeOffset now)
    {
        if (call.Phase != CallPhase.Dialing || call.RingGeneration != command.RingGeneration)
        {
            return Decision.Unchanged(call);
        }

        return Decision.Changes(call, call with { Phase = CallPhase.Ringing, RingingAt = call.RingingAt ?? now }, [new CallStatusChangedNotification(CallViewer.CallerOf(call))]);
    }

    private static Decision Accept(Call call, AcceptCall command, DeciderSettings settings, DateTimeOffset now)
    {
        var (device, refusal) = RingingDevice(call, command.Requester, "accept");
        if (refusal is not null)
        {
            return refusal;
        }

        var (answer, error) = SdpParser.Parse(command.SdpAnswer);
        if (error is not null)
        {
            return Decision.Refuse(error);
        }

        var (parameters, parametersError) = MergedParameters(call.Callee, command.CustomParameters);
        if (parametersError is not null)
        {
            return Decision.Refuse(parametersError);
        }

        var others = call.RingingDevices.Where(d => d.DeviceId != device!.DeviceId).ToList();
        var answeredElsewhere = new CallEnd(EndReason.AnsweredElsewhere, CallStatusCodes.RespondedFromAnotherDevice);
        var accepted = call with
        {
            Phase = CallPhase.Answering,
            // RFC 3264: the caller's video flows only if the answer receives it.
            Caller = call.Caller with { SendsVideo = call.Caller.SendsVideo && answer!.ReceivesVideo },
            Callee = call.Callee with { DeviceId = device!.DeviceId, SendsVideo = answer!.SendsVideo, CustomParameters = parameters! },
            Devices = EndDevices(call, others, answeredElsewhere, now),
            CandidatesForCallee = [],
            CandidatesFromDevices = [],
            AnsweredAt = now,
        };
        var calleeViewer = CallViewer.CalleeDevice(device.DeviceId);
        var notifications = new List<CallNotification>(ParametersTo(CallViewer.CallerOf(call), command.CustomParameters))
        {
            new CallStatusChangedNotification(calleeViewer),
        };
        notifications.AddRange(others.Select(d => new CallStatusChangedNotification(CallViewer.CalleeDevice(d.DeviceId))));
        notifications.Add(new RemoteDescriptionNotification(CallViewer.CallerOf(call), "answer", command.SdpAnswer));
        notifications.AddRange(call.CandidatesForCallee.Select(c => new IceCandidateNotification(calleeViewer, c)));
        notifications.AddRange(call.CandidatesFromDevices
            .Where(c => c.DeviceId == device.DeviceId)
            .Select(c => new IceCandidateNotification(CallViewer.CallerOf(call), c.Candidate)));
        return Decision.Changes(
            call,
            accepted,
            notifications,
            [new TimerRequest(CallTimerKind.AnswerCompletion, string.Empty, now + settings.OperationTimeout)],
            [new CompleteAnswer()]);
    }

    private static Decision CompleteAnswer(Call call)
    {
        if (call.Phase != CallPhase.Answering)
        {
            return Decision.Unchanged(call);
        }

        return Decision.Changes(
            call,
            call with { Phase = CallPhase.Connected },
            [
                new CallStatusChangedNotification(CallViewer.PartyOf(call, CallSide.Caller)),
                new CallStatusChangedNotification(CallViewer.PartyOf(call, CallSide.Callee)),
            ]);
    }

    private static Decision Reject(Call call, RejectCall command, DateTimeOffset now)
    {
        var (device, refusal) = RingingDevice(call, command.Requester, "reject");
        return refusal ?? RejectFrom(call, device!, command.CustomParameters, reasonText: null, now);
    }

    private static Decision RejectFrom(Call call, CalleeDevice device, IReadOnlyDictionary<string, string>? customParameters, string? reasonText, DateTimeOffset now)
    {
        var (parameters, parametersError) = MergedParameters(call.Callee, customParameters);
        if (parametersError is not null)
        {
            return Decision.Refuse(parametersError);
        }

        var withLocalEnd = call with
        {
            Callee = call.Callee with { CustomParameters = parameters! },
            Devices = EndDevices(call, [device], new CallEnd(EndReason.Rejected, CallStatusCodes.RejectedByLocalUser), now),
            EndReasonText = reasonText,
        };
        var decision = Finish(
            call,
            withLocalEnd,
            new CallEnd(EndReason.Rejected, CallStatusCodes.Rejected),
            new CallEnd(EndReason.Rejected, CallStatusCodes.RespondedFromAnotherDevice),
            now,
            ringingBefore: call.RingingDevices.ToList(),
            first: ParametersTo(CallViewer.CallerOf(call), customParameters));
        return decision;
    }

    private static Decision Ignore(Call call, IgnoreCall command, DateTimeOffset now)
    {
        var (device, refusal) = RingingDevice(call, command.Requester, "ignore");
        if (refusal is not null)
        {
            return refusal;
        }

        // Rule 4: only this device stops; the caller is not told.
        var ignored = call with { Devices = EndDevices(call, [device!], new CallEnd(EndReason.Ignored, CallStatusCodes.IgnoredByLocalUser), now) };
        return Decision.Changes(call, ignored, [new CallStatusChangedNotification(CallViewer.CalleeDevice(device!.DeviceId))]);
    }

    private static Decision Forward(Call call, ForwardCall command, DeciderSettings settings, DateTimeOffset now)
    {
        var (_, refusal) = RingingDevice(call, command.Requester, "forward");
        if (refusal is not null)
        {
            return refusal;
        }

        var target = command.ParsedTarget;
        if (target is null || target.Kind != AddressKind.User)
        {
            return Decision.Refuse(ErrorCode.InvalidAddress, "a call can only be forwarded to a registered user's address");
        }

        if (target == call.Caller.Account || call.ForwardChain.Contains(target))
        {
            return Decision.Refuse(ErrorCode.ForwardLoop, $"{target} was already offered this call");
        }

        if (call.ForwardChain.Count > settings.MaxForwardHops)
        {
            return Decision.Refuse(ErrorCode.ForwardLoop, $"a call is forwarded at most {settings.MaxForwardHops} times");
        }

        if (command.TargetLookup.RingAccount is null)
        {
            return Decision.Refuse(ErrorCode.CalleeNotFound, $"no registered user {target}");
        }

        if (command.TargetLookup.Devices.Count == 0 && !command.TargetLookup.Wakeable)
        {
            return Decision.Refuse(ErrorCode.CalleeUnavailable, $"{target} has no connected device and no push registration");
        }

        // Rule 5: every device of the forwarding user stops with Forwarded; the target's devices ring.
        var forwarding = call.RingingDevices.ToList();
        var generation = call.RingGeneration + 1;
        var (newDevices, busy) = DevicesToRing(command.TargetLookup, target, exempt: null);
        if (busy)
        {
            return Decision.Refuse(ErrorCode.CalleeUnavailable, $"{target} is busy");
        }

        var forwarded = call with
        {
            Callee = new PartyState(target, target, null),
            Devices = EndDevices(call, forwarding, new CallEnd(EndReason.Forwarded, CallStatusCodes.CallForwarded), now).AddRange(newDevices),
            ForwardChain = call.ForwardChain.Add(target),
            RingGeneration = generation,
            WokenAccount = command.TargetLookup.Wakeable ? target : null,
            WokenAt = command.TargetLookup.Wakeable ? now : null,
        };
        var notifications = new List<CallNotification>();
        notifications.AddRange(forwarding.Select(d => new CallStatusChangedNotification(CallViewer.CalleeDevice(d.DeviceId))));
        notifications.Add(new CallStatusChangedNotification(CallViewer.CallerOf(call)));
        notifications.AddRange(newDevices.Select(d => new IncomingCallNotification(CallViewer.CalleeDevice(d.DeviceId), call.Offer!)));
        var ringTimer = RingTimer(generation, settings, now);
        return Decision.Changes(
            call,
            forwarded,
            notifications,
            [ringTimer],
            [new MarkAlerted(generation)],
            command.TargetLookup.Wakeable ? [new WakeAccount(target, ringTimer.DueAt)] : []);
    }

    private static TimerRequest RingTimer(int generation, DeciderSettings settings, DateTimeOffset now) =>
        new(CallTimerKind.Ring, generation.ToString(CultureInfo.InvariantCulture), now + settings.RingTimeout);

    private static ImmutableList<CalleeDevice> EndDevices(Call call, IReadOnlyCollection<CalleeDevice> ended, CallEnd end, DateTimeOffset now)
    {
        var ids = ended.Select(d => d.DeviceId).ToHashSet();
        return call.Devices.Select(d => ids.Contains(d.DeviceId) && d.LocalEnd is null ? d with { LocalEnd = end, EndedAt = now } : d).ToImmutableList();
    }
}
