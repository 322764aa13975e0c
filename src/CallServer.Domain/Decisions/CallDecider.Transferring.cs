using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;

namespace CallServer.Domain.Decisions;

/// <summary>
/// A live call that moves to another party (rule 21): a blind transfer (<c>TransferCall</c>) or a consultative
/// one (<c>ConsultativeTransfer</c>). The transferee places a new call, created with every rule of
/// <see cref="Create(CreateCall, DeciderSettings, DateTimeOffset)"/>; the old call is marked with the transfer
/// (no other transfer, pull or media operation meanwhile), held by the transferor, and hears how the new call
/// goes through <see cref="TransferProgressed"/>: it ends <see cref="EndReason.Transferred"/> when the new call
/// is answered, and stays held as it was when the new call ends unanswered.
/// </summary>
public static partial class CallDecider
{
    /// <summary>
    /// Decides the call a transfer places (rule 21): <c>CreateOutgoingCall</c> by the transferee, with every
    /// rule of a call it dials, that remembers where it came from.
    /// </summary>
    public static Decision CreateTransferred(CreateCall command, TransferOrigin origin, DeciderSettings settings, DateTimeOffset now)
    {
        var created = Create(command, settings, now);
        return created.IsRefused ? created : Decision.Created(created.Call! with { TransferredFrom = origin }, [.. created.Timers]);
    }

    /// <summary>
    /// Rule 21a. A party transfers the call blind: the call in progress (in call or held), no operation or
    /// transfer pending, the other party's connection up. The transferor's side is held (if it was not), the
    /// transferee is asked to place the new call, the transferor hears <c>Trying</c>.
    /// </summary>
    private static Decision Transfer(Call call, TransferCall command, DeciderSettings settings, DateTimeOffset now)
    {
        var (side, refusal) = Transferor(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        if (command.Target is not { } target)
        {
            return Decision.Refuse(ErrorCode.InvalidAddress, "the target is not an address: use user, user@domain or tel:+E164");
        }

        if (target == call.Party(side.Other()).Account || target == call.Party(side.Other()).Address)
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "the other party cannot be transferred to itself");
        }

        if (target == call.Party(side).Account)
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "a call is transferred to someone else than the transferor");
        }

        return OpenTransfer(call, side, new CallTransfer(command.NewCallId, TransferKind.Blind, TransferRole.Transferee, side, target, TransferStage.Trying, null), settings, now);
    }

    /// <summary>
    /// Rule 21b. A consultative transfer, decided on each of the transferor's two calls: both in progress and
    /// held by the transferor, no operation or transfer pending. The transferee's call asks the transferee to
    /// place the new call; the consultation call tells the target to take it without ringing.
    /// </summary>
    private static Decision Consult(Call call, ConsultativeTransfer command, DeciderSettings settings, DateTimeOffset now)
    {
        var (side, refusal) = Transferor(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        if (command.TransfereeCallId == command.TargetCallId)
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "a consultative transfer connects two different calls");
        }

        TransferRole? role = call.CallId == command.TransfereeCallId ? TransferRole.Transferee : call.CallId == command.TargetCallId ? TransferRole.Target : null;
        if (role is null)
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "the call is not one of the transfer's two calls");
        }

        if (!call.Party(side).Held)
        {
            return Decision.Refuse(ErrorCode.NotOnHold, "a consultative transfer connects two calls both on hold by the transferor");
        }

        var other = role == TransferRole.Transferee ? command.TargetCallId : command.TransfereeCallId;
        return OpenTransfer(call, side, new CallTransfer(command.NewCallId, TransferKind.Consultative, role.Value, side, command.Target, TransferStage.Trying, other), settings, now);
    }

    /// <summary>Who may transfer the call: the side of a registered party on its bound device, the call in progress and idle.</summary>
    private static (CallSide Side, Decision? Refusal) Transferor(Call call, Requester requester)
    {
        var (side, refusal) = BoundParty(call, requester);
        if (refusal is not null)
        {
            return (side, refusal);
        }

        if (!call.IsConnected)
        {
            return (side, NotInCall(call));
        }

        if (requester.Account.Kind == AddressKind.Anonymous)
        {
            return (side, Decision.Refuse(ErrorCode.Forbidden, "an anonymous caller cannot transfer calls"));
        }

        if (Busy(call) is { } busy)
        {
            return (side, busy);
        }

        return call.Party(side.Other()) is { DeviceId: not null, Connected: true }
            ? (side, null)
            : (side, Decision.Refuse(ErrorCode.InvalidState, "the other party's connection is lost; transfer once it is back"));
    }

    /// <summary>Rule 21e: one thing at a time on a call: a pending operation or transfer refuses the next (491 Request Pending).</summary>
    private static Decision? Busy(Call call) => call switch
    {
        { PendingOperation: { } pending } => Decision.Refuse(ErrorCode.OperationInProgress, $"{pending.Operation} is still waiting for an answer (491 Request Pending)"),
        { Transfer: not null } => Decision.Refuse(ErrorCode.OperationInProgress, "a transfer of this call is in progress (491 Request Pending)"),
        _ => null,
    };

    /// <summary>Marks the call with <paramref name="transfer"/>, holds the transferor's side, tells the other party, arms the transfer timer.</summary>
    private static Decision OpenTransfer(Call call, CallSide side, CallTransfer transfer, DeciderSettings settings, DateTimeOffset now)
    {
        var transferor = call.Party(side);
        var held = transferor.Held ? call : HoldClock.Track(call, call.WithParty(side, transferor with { Held = true }), now);
        var other = CallViewer.PartyOf(call, side.Other());
        var notifications = new List<CallNotification>();
        if (transfer.Role == TransferRole.Transferee)
        {
            // Trying first: the transferor hears it before anything the transferee's new call causes.
            notifications.Add(new TransferProgressNotification(CallViewer.PartyOf(call, side), TransferProgress.Trying, null));
            notifications.Add(new TransferRequestedNotification(other, transfer.NewCallId, transfer.Target.Value, transferor.Address.Value));
        }
        else
        {
            notifications.Add(new TransferConnectedNotification(other, transfer.NewCallId, transferor.Address.Value));
        }

        if (!transferor.Held)
        {
            notifications.Add(new CallStatusChangedNotification(CallViewer.PartyOf(call, CallSide.Caller)));
            notifications.Add(new CallStatusChangedNotification(CallViewer.PartyOf(call, CallSide.Callee)));
        }

        return Decision.Changes(
            call,
            held with { Transfer = transfer },
            notifications,
            [new TimerRequest(CallTimerKind.Transfer, transfer.NewCallId, now + settings.RingTimeout + settings.OperationTimeout)]);
    }

    /// <summary>
    /// Rule 21c. The new call of the transfer on this call rang, was answered or ended unanswered. Answered:
    /// this call ends <see cref="EndReason.Transferred"/> for both sides. Ended: the transfer is over and the
    /// call stays as it is (held by the transferor, who may unhold it). Anything else (another transfer's call,
    /// an ended call) changes nothing.
    /// </summary>
    private static Decision TransferProgressed(Call call, TransferProgressed command, DateTimeOffset now)
    {
        if (call.Phase == CallPhase.Ended || call.Transfer is not { } transfer || transfer.NewCallId != command.NewCallId)
        {
            return Decision.Unchanged(call);
        }

        var transferor = CallViewer.PartyOf(call, transfer.TransferorSide);
        var tellTransferor = transfer.Role == TransferRole.Transferee;
        switch (command.Progress)
        {
            case TransferProgress.Ringing when transfer.Stage == TransferStage.Trying:
                return Decision.Changes(
                    call,
                    call with { Transfer = transfer with { Stage = TransferStage.Ringing } },
                    tellTransferor ? [new TransferProgressNotification(transferor, TransferProgress.Ringing, null)] : []);
            case TransferProgress.Succeeded:
                // The new call's progress may be applied out of order (any node takes it): an answered call
                // rang, so a transferor that did not hear Ringing yet hears it now, once, before Succeeded.
                var transferred = new CallEnd(EndReason.Transferred, CallStatusCodes.SessionCompleted);
                IReadOnlyList<CallNotification> progress = !tellTransferor ? []
                    : transfer.Stage == TransferStage.Trying
                    ? [new TransferProgressNotification(transferor, TransferProgress.Ringing, null), new TransferProgressNotification(transferor, TransferProgress.Succeeded, null)]
                    : [new TransferProgressNotification(transferor, TransferProgress.Succeeded, null)];
                return Finish(call, call, transferred, transferred, now, first: progress);
            case TransferProgress.Failed:
                return TransferFailed(call, transfer, FailureReason(command.Reason));
            default:
                return Decision.Unchanged(call);
        }
    }

    /// <summary>Rule 21d. The transfer is over without moving the call: the call stays as it is, the transferor hears why.</summary>
    private static Decision TransferFailed(Call call, CallTransfer transfer, string reason) =>
        Decision.Changes(
            call,
            call with { Transfer = null },
            transfer.Role == TransferRole.Transferee ? [new TransferProgressNotification(CallViewer.PartyOf(call, transfer.TransferorSide), TransferProgress.Failed, reason)] : []);

    /// <summary>
    /// Rule 21c: what a change of a call placed by a transfer says to the calls it replaces: it rang, was
    /// answered (<c>Succeeded</c>) or ended unanswered (<c>Failed</c>); null for any other change.
    /// </summary>
    public static TransferProgress? TransferProgressOf(Call before, Call after) =>
        after.TransferredFrom is null ? null
        : after.Phase == CallPhase.Connected && before.Phase != CallPhase.Connected ? TransferProgress.Succeeded
        : after.Phase == CallPhase.Ended && before.Phase != CallPhase.Ended && after.AnsweredAt is null ? TransferProgress.Failed
        : after.Phase == CallPhase.Ringing && before.Phase != CallPhase.Ringing ? TransferProgress.Ringing
        : null;

    /// <summary>The reason a failed transfer gives: how the new call ended for its callee (<c>Rejected</c>, <c>NoAnswer</c>…).</summary>
    private static string FailureReason(EndReason? reason) => reason?.ToString() ?? nameof(EndReason.Failed);

    /// <summary>The transfer's new call never rang (rule 21d): the transfer fails with <c>Timeout</c>.</summary>
    private static Decision? TransferTimedOut(Call call, string token) =>
        call.Transfer is { Stage: TransferStage.Trying } transfer && transfer.NewCallId == token
            ? TransferFailed(call, transfer, "Timeout")
            : null;
}
