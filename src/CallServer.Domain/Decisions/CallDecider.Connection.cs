using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;

namespace CallServer.Domain.Decisions;

/// <summary>Connections that drop and come back (rule 12).</summary>
public static partial class CallDecider
{
    private static Decision Resume(Call call, ResumeCall command, DateTimeOffset now)
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

        if (command.Requester.DeviceId is not { } device)
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "a call is resumed from a connected device");
        }

        var party = call.Party(side.Value);
        if (side == CallSide.Callee && party.Account != command.Requester.Account)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call was forwarded away from you");
        }

        if (MovedAwayFrom(call, side.Value, device))
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call moved to another device of yours; PullCall brings it back");
        }

        if (side == CallSide.Callee && party.DeviceId is null)
        {
            return ResumeRinging(call, command.Requester, device);
        }

        var rebound = call.WithParty(side.Value, party with { DeviceId = device, Connected = true, GraceGeneration = party.GraceGeneration + 1 });
        var notifications = new List<CallNotification>();
        if (side == CallSide.Callee && party.DeviceId != device)
        {
            // The old device no longer has the call; the new one takes its place in the device list.
            var movedAway = new CallEnd(EndReason.AnsweredElsewhere, CallStatusCodes.RespondedFromAnotherDevice);
            var devices = call.Devices
                .Where(d => d.DeviceId != device)
                .Select(d => d.DeviceId == party.DeviceId ? d with { LocalEnd = movedAway, EndedAt = now } : d)
                .Append(new CalleeDevice(device, party.Account));
            rebound = rebound with { Devices = [.. devices] };
            notifications.Add(new CallStatusChangedNotification(CallViewer.CalleeDevice(party.DeviceId!)));
        }

        return Decision.Changes(call, rebound, notifications);
    }

    private static Decision DeviceConnected(Call call, DeviceConnected command)
    {
        // Only a device of the account the call rings now, and only one it has not rung yet.
        if (!call.IsRinging || call.Callee.Account != command.Requester.Account || command.Requester.DeviceId is not { } device || call.Device(device) is not null)
        {
            return Decision.Unchanged(call);
        }

        return ResumeRinging(call, command.Requester, device);
    }

    private static Decision ResumeRinging(Call call, Requester requester, string device)
    {
        if (!call.IsRinging)
        {
            return NotInCall(call);
        }

        var known = call.Device(device);
        if (known is { LocalEnd: null })
        {
            return Decision.Unchanged(call);
        }

        if (known is not null)
        {
            return Decision.Refuse(ErrorCode.InvalidState, "the call has ended on this device");
        }

        // A new connection of the callee rings too.
        return Decision.Changes(
            call,
            call with { Devices = call.Devices.Add(new CalleeDevice(device, requester.Account)) },
            [new IncomingCallNotification(CallViewer.CalleeDevice(device), call.Offer!)]);
    }

    private static Decision Disconnect(Call call, DeviceDisconnected command, DeciderSettings settings, DateTimeOffset now)
    {
        var device = command.Requester.DeviceId;
        if (call.Phase == CallPhase.Ended || device is null)
        {
            return Decision.Unchanged(call);
        }

        foreach (var side in new[] { CallSide.Caller, CallSide.Callee })
        {
            var party = call.Party(side);
            if (party.DeviceId == device && party.Connected)
            {
                var generation = party.GraceGeneration + 1;
                return Decision.Changes(
                    call,
                    call.WithParty(side, party with { Connected = false, GraceGeneration = generation }),
                    [],
                    [new TimerRequest(CallTimerKind.ReconnectGrace, GraceToken(side, generation), now + settings.ReconnectGrace)]);
            }
        }

        if (PullingDeviceLeft(call, device) is { } pullOver)
        {
            return pullOver;
        }

        var ringing = call.RingingDevices.FirstOrDefault(d => d.DeviceId == device);
        if (ringing is null)
        {
            return Decision.Unchanged(call);
        }

        // A ringing device that went away simply stops ringing; the others go on.
        return Decision.Changes(
            call,
            call with { Devices = EndDevices(call, [ringing], new CallEnd(EndReason.ConnectionLost, CallStatusCodes.EndedByError), now) },
            []);
    }
}
