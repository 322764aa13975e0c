using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Views;

namespace CallServer.Domain.Decisions;

/// <summary>
/// Decides every rule of the call contract: a pure function of the call, the command, the settings
/// and the time. No I/O, no clock, no randomness: ids and directory facts come in with the command.
/// </summary>
public static partial class CallDecider
{
    /// <summary>Decides <c>CreateOutgoingCall</c> with the default settings.</summary>
    public static Decision Create(CreateCall command, DateTimeOffset now) => Create(command, DeciderSettings.Default, now);

    /// <summary>Decides <c>CreateOutgoingCall</c>: the new call in <see cref="CallPhase.Initial"/>, or a refusal.</summary>
    public static Decision Create(CreateCall command, DeciderSettings settings, DateTimeOffset now)
    {
        var callee = command.Callee;
        var caller = command.Caller;
        if (callee is null)
        {
            return Decision.Refuse(ErrorCode.InvalidAddress, "the callee is not an address: use user, user@domain or tel:+E164");
        }

        if (command.Requester.DeviceId is null)
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "a call is created from a connected device");
        }

        switch (callee.Kind)
        {
            case AddressKind.Anonymous:
                return Decision.Refuse(ErrorCode.Forbidden, "anonymous addresses cannot be called");
            case AddressKind.Telephone when caller.IsAnonymous:
                return Decision.Refuse(ErrorCode.Forbidden, "anonymous callers may only call registered users");
            case AddressKind.Telephone when !caller.HasTelephoneNumber:
                return Decision.Refuse(ErrorCode.Forbidden, "calling a telephone number needs a telephone number assigned to the caller");
            case AddressKind.User when callee == command.Requester.Account:
                return Decision.Refuse(ErrorCode.InvalidArgument, "a user cannot call itself");
            // Checked before existence, so that a restricted token cannot probe which users exist.
            case AddressKind.User when caller.AllowedCallees is { } allowed && !allowed.Contains(callee):
                return Decision.Refuse(ErrorCode.Forbidden, "this token does not allow calling that user");
            case AddressKind.User when command.CalleeLookup.RingAccount is null:
                // An anonymous caller is not told which users exist: for it, an unknown user is one it may not call.
                return caller.IsAnonymous
                    ? Decision.Refuse(ErrorCode.Forbidden, "this token does not allow calling that user")
                    : Decision.Refuse(ErrorCode.CalleeNotFound, $"no registered user {callee}");
        }

        if (command.CalleeLookup.RingAccount == command.Requester.Account)
        {
            return Decision.Refuse(ErrorCode.InvalidArgument, "a user cannot call itself");
        }

        if (caller.CallsInProgress >= settings.MaxCallsPerCaller)
        {
            return Decision.Refuse(ErrorCode.RateLimited, $"at most {settings.MaxCallsPerCaller} calls in progress per caller");
        }

        var ringAccount = command.CalleeLookup.RingAccount ?? callee;
        var call = new Call
        {
            CallId = command.CallId,
            Version = 1,
            Caller = new PartyState(command.Requester.Account, command.Requester.Account, command.Requester.DeviceId)
            {
                DisplayName = caller.DisplayName,
            },
            Callee = new PartyState(callee, ringAccount, null),
            Phase = CallPhase.Initial,
            CallerAllowedCallees = caller.IsAnonymous && caller.AllowedCallees is { } allowedCallees ? [.. allowedCallees.OrderBy(a => a.Value, StringComparer.Ordinal)] : null,
            ForwardChain = [ringAccount],
            CreatedAt = now,
        };
        return Decision.Created(call, new TimerRequest(CallTimerKind.Setup, string.Empty, now + settings.RingTimeout));
    }

    /// <summary>Decides a command on an existing call.</summary>
    public static Decision Decide(Call call, CallCommand command, DeciderSettings settings, DateTimeOffset now) => command switch
    {
        EstablishCall c => Establish(call, c, settings, now),
        MarkAlerted c => MarkAlerted(call, c, now),
        AcceptCall c => Accept(call, c, settings, now),
        Commands.CompleteAnswer => CompleteAnswer(call),
        RejectCall c => Reject(call, c, now),
        IgnoreCall c => Ignore(call, c, now),
        ForwardCall c => Forward(call, c, settings, now),
        EndCall c => End(call, c, now),
        StartMediaOperation c => StartOperation(call, c, settings, now),
        PullCall c => Pull(call, c, settings, now),
        TransferCall c => Transfer(call, c, settings, now),
        ConsultativeTransfer c => Consult(call, c, settings, now),
        Commands.TransferProgressed c => TransferProgressed(call, c, now),
        AnswerRenegotiation c => AnswerRenegotiation(call, c, now),
        RejectRenegotiation c => RejectRenegotiation(call, c),
        SetMuted c => SetMuted(call, c),
        SendIceCandidate c => RelayCandidate(call, c),
        SendDtmf c => SendDtmf(call, c),
        SendCustomParameters c => SendCustomParameters(call, c),
        ReportQuality c => ReportQuality(call, c, now),
        ResumeCall c => Resume(call, c, now),
        DeviceDisconnected c => Disconnect(call, c, settings, now),
        Commands.DeviceConnected c => DeviceConnected(call, c),
        TimerElapsed c => TimerElapsed(call, c, now),
        CallLost => Lost(call, now),
        _ => Decision.Refuse(ErrorCode.InvalidArgument, $"unknown command {command.GetType().Name}"),
    };

    /// <summary>The side <paramref name="account"/> plays in the call, or null when it is no party (→ CallNotFound).</summary>
    public static CallSide? SideOf(Call call, Address account)
    {
        if (call.Caller.Account == account)
        {
            return CallSide.Caller;
        }

        // The callee learns of a call when it rings: before the offer, it is no party yet.
        if (call.Phase != CallPhase.Initial && (call.Callee.Account == account || call.Devices.Any(d => d.Account == account)))
        {
            return CallSide.Callee;
        }

        return null;
    }

    /// <summary>How <paramref name="requester"/> sees the call, or null when it is no party of it.</summary>
    public static CallViewer? ViewerFor(Call call, Requester requester)
    {
        var side = SideOf(call, requester.Account);
        if (side is null)
        {
            return null;
        }

        // A device the call was pulled away from sees it ended there (rule 20).
        if (requester.DeviceId is { } requesterDevice && MovedAwayFrom(call, side.Value, requesterDevice))
        {
            return new CallViewer(side.Value, requesterDevice);
        }

        if (side == CallSide.Caller)
        {
            return CallViewer.CallerOf(call);
        }

        if (call.Device(requester.DeviceId) is { } device)
        {
            return CallViewer.CalleeDevice(device.DeviceId);
        }

        if (call.Callee.Account == requester.Account)
        {
            return CallViewer.PartyOf(call, CallSide.Callee);
        }

        // A user the call was forwarded away from: it sees what its devices saw.
        return CallViewer.CalleeDevice(call.Devices.First(d => d.Account == requester.Account).DeviceId);
    }

    private static readonly Decision NotFound = Decision.Refuse(ErrorCode.CallNotFound, "no such call");

    private static Decision NotInCall(Call call) => call.Phase == CallPhase.Ended
        ? Decision.Refuse(ErrorCode.InvalidState, "the call has ended")
        : Decision.Refuse(ErrorCode.InvalidState, "the call is not in progress");

    private static Decision NotBound() =>
        Decision.Refuse(ErrorCode.InvalidState, "the call is active on another device of yours; ResumeCall moves it here");

    /// <summary>The side of a party acting from its bound device, or the refusal.</summary>
    private static (CallSide Side, Decision? Refusal) BoundParty(Call call, Requester requester)
    {
        var side = SideOf(call, requester.Account);
        if (side is null)
        {
            return (default, NotFound);
        }

        if (call.Phase == CallPhase.Ended)
        {
            return (side.Value, Decision.Refuse(ErrorCode.InvalidState, "the call has ended"));
        }

        var party = call.Party(side.Value);
        if (party.DeviceId is null || party.DeviceId != requester.DeviceId || party.Account != requester.Account)
        {
            return (side.Value, side == CallSide.Callee && party.DeviceId is null
                ? Decision.Refuse(ErrorCode.InvalidState, "the call is not in progress")
                : NotBound());
        }

        return (side.Value, null);
    }

    /// <summary>The callee device that is ringing for <paramref name="requester"/>, or the refusal (rule 1).</summary>
    private static (CalleeDevice? Device, Decision? Refusal) RingingDevice(Call call, Requester requester, string action)
    {
        var side = SideOf(call, requester.Account);
        if (side is null)
        {
            return (null, NotFound);
        }

        if (side == CallSide.Caller)
        {
            return (null, Decision.Refuse(ErrorCode.Forbidden, $"only the callee's devices may {action} a call"));
        }

        if (!call.IsRinging)
        {
            return (null, Decision.Refuse(ErrorCode.InvalidState, call.Phase == CallPhase.Ended ? "the call has ended" : "the call is not ringing"));
        }

        var device = call.RingingDevices.FirstOrDefault(d => d.DeviceId == requester.DeviceId && d.Account == requester.Account);
        return device is null
            ? (null, Decision.Refuse(ErrorCode.InvalidState, "the call is not ringing on this device"))
            : (device, null);
    }
}
