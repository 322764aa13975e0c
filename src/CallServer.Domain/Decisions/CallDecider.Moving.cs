using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;

namespace CallServer.Domain.Decisions;

/// <summary>
/// A live call that moves to another device of a party's account (<c>PullCall</c>, rule 20): the new device
/// offers, the other party answers it through the operation machinery (one pending operation, the
/// operation timer, <c>Rejected</c>/<c>Timeout</c> as for hold), and only its answer moves the call.
/// </summary>
public static partial class CallDecider
{
    /// <summary>
    /// Rule 20a. A device of a party's account that does not hold the call asks for it with its own offer:
    /// a registered account (anonymous ones have one device), the call in progress (in call or held, no
    /// operation pending), a well-formed offer. The other party is asked to renegotiate towards the new
    /// device; nothing moves yet.
    /// </summary>
    private static Decision Pull(Call call, PullCall command, DeciderSettings settings, DateTimeOffset now)
    {
        var (side, device, refusal) = Puller(call, command.Requester);
        if (refusal is not null)
        {
            return refusal;
        }

        var party = call.Party(side);
        if (Busy(call) is { } busy)
        {
            return busy;
        }

        var (offer, invalid) = ParseOperation(command.OperationId, command.SdpOffer);
        if (invalid is not null)
        {
            return invalid;
        }

        // The new device takes the call as it is: its offer must keep the party's hold.
        if (party.Held == offer!.ReceivesAudio)
        {
            return Decision.Refuse(ErrorCode.InvalidSdp, party.Held
                ? "the call is on hold here: the offer sets its audio to sendonly or inactive"
                : "the offer receives audio (sendrecv or recvonly), as the call is not on hold");
        }

        return OpenOperation(call, new PendingOperation(command.OperationId, MediaOperation.PullCall, side, command.SdpOffer) { PullingDevice = device }, settings, now);
    }

    /// <summary>
    /// Rule 20: how <paramref name="requester"/> would see a call it may pull to its device now (its account is
    /// that party's, registered, and the call is in progress on another of its devices), as the party sees it
    /// there; null when it may not. What <c>GetCallsOnOtherDevices</c> lists.
    /// </summary>
    public static CallViewer? PullableBy(Call call, Requester requester) =>
        Puller(call, requester) is (var side, _, null) ? CallViewer.PartyOf(call, side) : null;

    /// <summary>The side and device a pull by <paramref name="requester"/> would move, or why it may not pull.</summary>
    private static (CallSide Side, string Device, Decision? Refusal) Puller(Call call, Requester requester)
    {
        var side = SideOf(call, requester.Account);
        if (side is null || (side == CallSide.Callee && call.Callee.Account != requester.Account))
        {
            return (default, string.Empty, NotFound);
        }

        if (requester.Account.Kind == AddressKind.Anonymous)
        {
            return (side.Value, string.Empty, Decision.Refuse(ErrorCode.Forbidden, "an anonymous caller has one device: its call cannot be pulled"));
        }

        if (requester.DeviceId is not { } device)
        {
            return (side.Value, string.Empty, Decision.Refuse(ErrorCode.InvalidArgument, "a call is pulled to a connected device"));
        }

        if (!call.IsConnected)
        {
            return (side.Value, device, NotInCall(call));
        }

        return call.Party(side.Value).DeviceId == device
            ? (side.Value, device, Decision.Refuse(ErrorCode.InvalidState, "the call is already on this device"))
            : (side.Value, device, null);
    }

    /// <summary>
    /// Rule 20b. The other party answered the pull: the new device holds the call (hold, mute and video
    /// carry over, the party is connected there), the old device is told the call ended there
    /// (<see cref="EndReason.MovedToAnotherDevice"/>), the new one gets the answer. The other party's call
    /// never ends.
    /// </summary>
    private static Decision CompletePull(Call call, PendingOperation pending, string sdpAnswer, DateTimeOffset now)
    {
        var side = pending.Initiator;
        var party = call.Party(side);
        var newDevice = pending.PullingDevice!;
        var moved = call.WithParty(side, party with { DeviceId = newDevice, Connected = true, GraceGeneration = party.GraceGeneration + 1 }) with
        {
            PendingOperation = null,
            MovedFrom = party.DeviceId is { } old ? call.MovedFrom.Add(new MovedDevice(side, old, now)) : call.MovedFrom,
        };
        if (side == CallSide.Callee)
        {
            moved = moved with
            {
                Devices = [.. call.Devices
                    .Where(d => d.DeviceId != newDevice)
                    .Select(d => d.DeviceId == party.DeviceId ? d with { LocalEnd = MovedDevice.End, EndedAt = now } : d)
                    .Append(new CalleeDevice(newDevice, party.Account))],
            };
        }

        var notifications = new List<CallNotification>
        {
            new CallOperationCompletedNotification(new CallViewer(side, newDevice), pending.OperationId, pending.Operation, Succeeded: true, Error: null, sdpAnswer),
            new CallStatusChangedNotification(new CallViewer(side, newDevice)),
        };
        if (party.DeviceId is { } oldDevice)
        {
            notifications.Add(new CallStatusChangedNotification(new CallViewer(side, oldDevice)));
        }

        return Decision.Changes(call, moved, notifications);
    }

    /// <summary>Who hears of an operation's end: the device that started it (for a pull, the pulling device).</summary>
    private static CallViewer InitiatorOf(Call call, PendingOperation pending) =>
        pending.PullingDevice is { } device ? new CallViewer(pending.Initiator, device) : CallViewer.PartyOf(call, pending.Initiator);

    /// <summary>
    /// Rule 20c. While a pull waits for its answer, the pulling device's candidates go to the other party, and
    /// the other party's to the pulling device (its answer belongs to the new connection). Null: no pull.
    /// </summary>
    private static Decision? RelayDuringPull(Call call, SendIceCandidate command)
    {
        if (call.PendingOperation is not { Operation: MediaOperation.PullCall, PullingDevice: { } pulling } pending)
        {
            return null;
        }

        if (command.Requester.DeviceId == pulling && call.Party(pending.Initiator).Account == command.Requester.Account)
        {
            return Decision.Unchanged(call, new IceCandidateNotification(CallViewer.PartyOf(call, pending.Initiator.Other()), command.Candidate));
        }

        var other = call.Party(pending.Initiator.Other());
        return other.DeviceId == command.Requester.DeviceId && other.Account == command.Requester.Account
            ? Decision.Unchanged(call, new IceCandidateNotification(new CallViewer(pending.Initiator, pulling), command.Candidate))
            : null;
    }

    /// <summary>Rule 20d. The pulling device went away before the answer: the pull is over, the call stays where it was.</summary>
    private static Decision? PullingDeviceLeft(Call call, string device) =>
        call.PendingOperation is { Operation: MediaOperation.PullCall } pending && pending.PullingDevice == device
            ? Decision.Changes(call, call with { PendingOperation = null }, [])
            : null;

    /// <summary>A device the call was pulled away from: it cannot end, resume or take it back but by a pull.</summary>
    private static bool MovedAwayFrom(Call call, CallSide side, string device) => call.MovedAwayAt(side, device) is not null;
}
