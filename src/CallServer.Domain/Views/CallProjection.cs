using CallServer.Domain.Calls;

namespace CallServer.Domain.Views;

/// <summary>Projects the call record onto one party's view: a pure function.</summary>
public static class CallProjection
{
    public static CallSnapshot View(Call call, CallViewer viewer)
    {
        var local = call.Party(viewer.Side);
        var remote = call.Party(viewer.Side.Other());
        var (state, end) = StateOf(call, viewer);

        // A callee device whose part ended (it rejected, ignored, forwarded, or another device answered)
        // sees the call as it was when it left, never what happened after: not who answered when, not
        // the media or mute of whoever took the call over.
        var leftAt = call.MovedAwayAt(viewer.Side, viewer.DeviceId) ?? (viewer.Side == CallSide.Callee && call.Device(viewer.DeviceId) is { LocalEnd: not null } left ? left.EndedAt : null);
        var media = leftAt is not null
            ? new CallMedia(Audio: true, Video: false, LocalVideo: false, RemoteVideo: false, LocalMuted: false, RemoteMuted: false)
            : new CallMedia(
                Audio: true,
                Video: local.SendsVideo || remote.SendsVideo,
                LocalVideo: local.SendsVideo,
                RemoteVideo: remote.SendsVideo,
                LocalMuted: local.Muted,
                RemoteMuted: remote.Muted);
        var inCall = state is CallState.InCall or CallState.OnHold or CallState.RemotelyHeld or CallState.OnDoubleHold;

        // A device of a user the call was forwarded away from sees the call as its own, not the target's.
        var localAddress = viewer.Side == CallSide.Callee && call.Device(viewer.DeviceId) is { } device && device.Account != local.Account
            ? device.Account.Value
            : local.Address.Value;
        return new CallSnapshot(
            call.CallId,
            viewer.Side == CallSide.Caller ? CallDirection.Outgoing : CallDirection.Incoming,
            localAddress,
            remote.Address.Value,
            state,
            end?.Reason,
            media,
            LocalHold: inCall && local.Held,
            RemoteHold: inCall && remote.Held,
            end?.StatusCode,
            call.CreatedAt,
            leftAt is not null && call.AnsweredAt > leftAt ? null : call.AnsweredAt,
            state == CallState.Ended ? EndedAtOf(call, viewer) : null,
            call.Version)
        {
            RemoteDisplayName = remote.DisplayName,
            OfferKind = call.OfferKind,
            TransferredBy = call.TransferredFrom?.TransferredBy.Value,
            ReplacesCallId = call.TransferredFrom is { } origin ? (viewer.Side == CallSide.Caller ? origin.CallId : origin.ReplacesCallId) : null,
            PendingOperationId = inCall ? call.PendingOperation?.OperationId : null,
            Waiting = viewer.Side == CallSide.Callee && call.Device(viewer.DeviceId) is { Waiting: true } ? true : null,
            CustomParameters = leftAt is null && !remote.CustomParameters.IsEmpty ? remote.CustomParameters.Values : null,
            EndReasonText = leftAt is null && state == CallState.Ended ? call.EndReasonText : null,
        };
    }

    /// <summary>The state and end reason <paramref name="viewer"/> sees.</summary>
    public static (CallState State, CallEnd? End) StateOf(Call call, CallViewer viewer)
    {
        if (call.MovedAwayAt(viewer.Side, viewer.DeviceId) is not null)
        {
            return (CallState.Ended, MovedDevice.End);
        }

        if (viewer.Side == CallSide.Callee && call.Device(viewer.DeviceId) is { LocalEnd: { } localEnd })
        {
            return (CallState.Ended, localEnd);
        }

        var party = call.Party(viewer.Side);
        return call.Phase switch
        {
            CallPhase.Ended => (CallState.Ended, party.End),
            CallPhase.Initial => (CallState.Initial, null),
            CallPhase.Dialing => (viewer.Side == CallSide.Caller ? CallState.Dialing : CallState.Ringing, null),
            CallPhase.Ringing => (CallState.Ringing, null),
            CallPhase.Answering => (viewer.Side == CallSide.Caller ? CallState.Ringing : CallState.Answering, null),
            _ => (HoldState(party.Held, call.Party(viewer.Side.Other()).Held), null),
        };
    }

    /// <summary>
    /// The call's state as no party sees it (for the customer's backend): by phase, <c>Answering</c> while the
    /// answer goes to the caller, <c>InCall</c> once connected whatever holds.
    /// </summary>
    public static CallState OverallState(Call call) => call.Phase switch
    {
        CallPhase.Initial => CallState.Initial,
        CallPhase.Dialing => CallState.Dialing,
        CallPhase.Ringing => CallState.Ringing,
        CallPhase.Answering => CallState.Answering,
        CallPhase.Connected => CallState.InCall,
        _ => CallState.Ended,
    };

    private static DateTimeOffset EndedAtOf(Call call, CallViewer viewer) =>
        call.MovedAwayAt(viewer.Side, viewer.DeviceId) ?? (viewer.Side == CallSide.Callee ? call.Device(viewer.DeviceId)?.EndedAt : null) ?? call.EndedAt ?? call.CreatedAt;


    private static CallState HoldState(bool localHeld, bool remoteHeld) => (localHeld, remoteHeld) switch
    {
        (true, true) => CallState.OnDoubleHold,
        (true, false) => CallState.OnHold,
        (false, true) => CallState.RemotelyHeld,
        _ => CallState.InCall,
    };
}
