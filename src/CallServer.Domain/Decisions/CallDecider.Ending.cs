using System.Globalization;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;

namespace CallServer.Domain.Decisions;

/// <summary>Ending a call: by a party, by a timer, by a lost connection.</summary>
public static partial class CallDecider
{
    private static Decision End(Call call, EndCall command, DateTimeOffset now)
    {
        var side = SideOf(call, command.Requester.Account);
        if (side is null)
        {
            return NotFound;
        }

        if (call.Phase == CallPhase.Ended)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call has ended");
        }

        if (command.ReasonText is { Length: > MaxEndReasonTextLength })
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, $"an end reason text is at most {MaxEndReasonTextLength} characters");
        }

        // Rule 20: a device the call was pulled away from has no call left to end.
        if (command.Requester.DeviceId is { } requesterDevice && MovedAwayFrom(call, side.Value, requesterDevice))
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call moved to another device of yours");
        }

        var party = call.Party(side.Value);
        var (parameters, parametersError) = MergedParameters(party, command.CustomParameters);
        if (parametersError is not null)
        {
            return Decision.Refuse(parametersError);
        }

        if (side == CallSide.Caller)
        {
            // Rule 7: the caller ending a call that was not answered cancels it on every callee device.
            var byCaller = call with { Caller = call.Caller with { CustomParameters = parameters! }, EndReasonText = command.ReasonText };
            IReadOnlyList<CallNotification> toCallee = call.Callee.DeviceId is { } bound
                ? ParametersTo(CallViewer.CalleeDevice(bound), command.CustomParameters)
                : [.. call.RingingDevices.SelectMany(d => ParametersTo(CallViewer.CalleeDevice(d.DeviceId), command.CustomParameters))];
            return call.Phase is CallPhase.Answering or CallPhase.Connected
                ? Finish(call, byCaller, Local(), Remote(), now, first: toCallee)
                : Finish(call, byCaller, Local(), new CallEnd(EndReason.Canceled, CallStatusCodes.CanceledOrNotAnswered), now, first: toCallee);
        }

        var device = call.Device(command.Requester.DeviceId);
        if (device?.LocalEnd is not null)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call has ended on this device");
        }

        if (call.IsRinging)
        {
            // A ringing device that ends the call rejects it.
            return device is null
                ? Decision.Refuse(ErrorCode.InvalidState, "the call is not ringing on this device")
                : RejectFrom(call, device, command.CustomParameters, command.ReasonText, now);
        }

        if (call.Callee.DeviceId is null || call.Callee.Account != command.Requester.Account)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call is not in progress");
        }

        var byCallee = call with { Callee = call.Callee with { CustomParameters = parameters! }, EndReasonText = command.ReasonText };
        return Finish(call, byCallee, Remote(), Local(), now, first: ParametersTo(CallViewer.CallerOf(call), command.CustomParameters));

        static CallEnd Local() => new(EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser);
        static CallEnd Remote() => new(EndReason.EndedRemotely, CallStatusCodes.SessionCompleted);
    }

    /// <summary>The store lost the call: it ends for everyone, with an error, as it was last seen.</summary>
    private static Decision Lost(Call call, DateTimeOffset now)
    {
        if (call.Phase == CallPhase.Ended)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call has ended");
        }

        var failed = new CallEnd(EndReason.Failed, CallStatusCodes.EndedByError);
        return Finish(call, call, failed, failed, now);
    }

    private static Decision TimerElapsed(Call call, TimerElapsed timer, DateTimeOffset now)
    {
        if (call.Phase == CallPhase.Ended)
        {
            return Decision.Unchanged(call);
        }

        switch (timer.Kind)
        {
            case CallTimerKind.Ring when call.IsRinging && timer.Token == call.RingGeneration.ToString(CultureInfo.InvariantCulture):
                var noAnswer = new CallEnd(EndReason.NoAnswer, CallStatusCodes.CanceledOrNotAnswered);
                return Finish(call, call, noAnswer, noAnswer, now);
            case CallTimerKind.Operation when call.PendingOperation is { } pending && pending.OperationId == timer.Token:
                // Rule 10: the operation fails; the call's state is unchanged.
                return Decision.Changes(
                    call,
                    call with { PendingOperation = null },
                    [OperationFailed(call, pending, ErrorCode.Timeout, "the other party did not answer in time")]);
            case CallTimerKind.ReconnectGrace when GraceIsCurrent(call, timer.Token):
                var lost = new CallEnd(EndReason.ConnectionLost, CallStatusCodes.EndedByError);
                return Finish(call, call, lost, lost, now);
            case CallTimerKind.AnswerCompletion:
                return CompleteAnswer(call);
            case CallTimerKind.Transfer when TransferTimedOut(call, timer.Token) is { } timedOut:
                return timedOut;
            case CallTimerKind.Setup when call.Phase == CallPhase.Initial:
                var notEstablished = new CallEnd(EndReason.Failed, CallStatusCodes.OperationTimeout);
                return Finish(call, call, notEstablished, notEstablished, now);
            default:
                return Decision.Unchanged(call);
        }
    }

    /// <summary>
    /// Ends <paramref name="changed"/> (a version of <paramref name="before"/> with this command's other
    /// changes) for both sides, telling the caller, the bound callee device or every device still ringing,
    /// and the initiator of a pending operation.
    /// </summary>
    private static Decision Finish(Call before, Call changed, CallEnd callerEnd, CallEnd calleeEnd, DateTimeOffset now, IReadOnlyList<CalleeDevice>? ringingBefore = null, IReadOnlyList<CallNotification>? first = null)
    {
        var ringing = ringingBefore ?? changed.RingingDevices.ToList();
        var ended = HoldClock.Stop(changed, now) with
        {
            Phase = CallPhase.Ended,
            Caller = changed.Caller with { End = callerEnd },
            Callee = changed.Callee with { End = calleeEnd },
            PendingOperation = null,
            CandidatesForCallee = [],
            CandidatesFromDevices = [],
            EndedAt = now,
        };
        var notifications = new List<CallNotification>(first ?? []);
        if (before.PendingOperation is { } pending)
        {
            notifications.Add(OperationFailed(before, pending, ErrorCode.InvalidState, "the call ended"));
        }

        notifications.Add(new CallStatusChangedNotification(CallViewer.CallerOf(before)));
        if (before.Callee.DeviceId is { } bound)
        {
            notifications.Add(new CallStatusChangedNotification(CallViewer.CalleeDevice(bound)));
        }

        notifications.AddRange(ringing.Select(d => new CallStatusChangedNotification(CallViewer.CalleeDevice(d.DeviceId))));
        return Decision.Changes(before, ended, notifications);
    }

    private static CallOperationCompletedNotification OperationFailed(Call call, PendingOperation pending, ErrorCode code, string message) =>
        new(InitiatorOf(call, pending), pending.OperationId, pending.Operation, Succeeded: false, DomainError.Of(code, message).ToString(), SdpAnswer: null);

    private static string GraceToken(CallSide side, int generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{side}:{generation}");

    private static bool GraceIsCurrent(Call call, string token)
    {
        foreach (var side in new[] { CallSide.Caller, CallSide.Callee })
        {
            var party = call.Party(side);
            if (!party.Connected && token == GraceToken(side, party.GraceGeneration))
            {
                return true;
            }
        }

        return false;
    }
}
