using System.Text.Json;
using CallServer.Transfers;
using CallServer.Application;
using CallServer.Auth;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Domain.Views;
using CallServer.Observability.Logging;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CallServer.Hubs;

/// <summary>
/// The calls hub at <c>/hubs/calls</c>: identity and argument shape here, every rule in the decider.
/// Refusals reach the client as <see cref="HubException"/>s whose message starts with the error code.
/// </summary>
[Authorize(Policy = AuthPolicies.AnyCaller)]
public sealed class CallHub(CallService calls, CallTransfers transfers, CallDirectory directory, IPresence presence, LocalConnections connections, AccountCheck accounts, IOptions<LimitsOptions> limits, ILogger<CallHub> logger) : Hub
{
    private const int MaxCallIdLength = 64;

    public override async Task OnConnectedAsync()
    {
        // Anonymous callers are present too (events must find their device), though no one can call them.
        var identity = Identity;
        connections.Add(Context.ConnectionId, identity.Account.Value, Context.Abort);
        try
        {
            if (!await presence.AddAsync(identity.Account, Context.ConnectionId, limits.Value.MaxDevicesPerUser))
            {
                throw Refused(ErrorCode.RateLimited, $"at most {limits.Value.MaxDevicesPerUser} devices per user are connected at once");
            }

            if (!await accounts.IsCurrentAsync(Context.User!, identity, Context.ConnectionAborted))
            {
                throw Refused(ErrorCode.Unauthorized, "the token's account no longer exists");
            }
        }
        catch (Exception exception)
        {
            if (exception is CallRefusedException refused)
            {
                HubLog.ConnectionRefused(logger, Context.ConnectionId, identity.Account, refused.Error.ToString());
            }
            else if (exception is StoreUnavailableException unavailable)
            {
                HubLog.ConnectionRefused(logger, Context.ConnectionId, identity.Account, unavailable.Message);
            }

            // The connection is refused (the store is away, the account is gone): leave no trace of it.
            // Not awaited, so that a stalled store does not double the wait: the removal is sent after the
            // registration, Redis applies both in order, and the node's reconciliation settles what is left.
            connections.Remove(Context.ConnectionId);
            _ = ForgetPresenceAsync(identity.Account, Context.ConnectionId);
            throw;
        }

        HubLog.Connected(logger, Context.ConnectionId, identity.Account);
        if (!identity.IsAnonymous)
        {
            try
            {
                // A call ringing this account now rings here too (the device was woken by a push, or just opened).
                await calls.RingNewDeviceAsync(Requester, Context.ConnectionAborted);
            }
            catch (StoreUnavailableException unavailable)
            {
                // The store is away: the device is connected; calls that ring now reach it once it resumes.
                HubLog.RingingNotChecked(logger, Context.ConnectionId, unavailable.Message);
            }
        }

        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        var identity = Identity;
        connections.Remove(Context.ConnectionId);
        HubLog.Disconnected(logger, Context.ConnectionId, identity.Account);
        try
        {
            await presence.RemoveAsync(identity.Account, Context.ConnectionId);
            await calls.DisconnectAsync(Requester, CancellationToken.None);
        }
        catch (StoreUnavailableException unavailable)
        {
            // The store is away: presence and grace are settled by the node heartbeat's reaping instead.
            HubLog.DisconnectedWhileUnavailable(logger, Context.ConnectionId, unavailable.Message);
        }

        await base.OnDisconnectedAsync(exception);
    }

    public Task<CallSnapshot> CreateOutgoingCall(string? callee) =>
        calls.CreateAsync(Identity, Context.ConnectionId, callee, Context.ConnectionAborted);

    public Task EstablishCall(string? callId, string? sdpOffer, JsonElement? customParameters = null) =>
        calls.EstablishAsync(CheckCallId(callId), Requester, sdpOffer, HubArguments.CustomParameters(customParameters), Context.ConnectionAborted);

    public Task AcceptCall(string? callId, string? sdpAnswer, JsonElement? customParameters = null) =>
        Execute(callId, new AcceptCall(Requester, sdpAnswer ?? string.Empty) { CustomParameters = HubArguments.CustomParameters(customParameters) });

    public Task RejectCall(string? callId, JsonElement? customParameters = null) =>
        Execute(callId, new RejectCall(Requester) { CustomParameters = HubArguments.CustomParameters(customParameters) });

    public Task IgnoreCall(string? callId) => Execute(callId, new IgnoreCall(Requester));

    public Task ForwardCall(string? callId, string? target) =>
        calls.ForwardAsync(CheckCallId(callId), Requester, target, Context.ConnectionAborted);

    /// <summary>Ends the call; <paramref name="reason"/> is a free text for the other party and the record (rule 26).</summary>
    public Task EndCall(string? callId, string? reason = null, JsonElement? customParameters = null) =>
        Execute(callId, new EndCall(Requester) { ReasonText = reason, CustomParameters = HubArguments.CustomParameters(customParameters) });

    /// <summary>
    /// Rule 23: accepts the waiting call <paramref name="newCallId"/> and puts <paramref name="heldCallId"/> on hold, as one
    /// command; returns the hold's operation id (null when that call had ended meanwhile).
    /// </summary>
    public Task<string?> HoldAndAccept(string? newCallId, string? heldCallId, string? sdpAnswer, string? holdOffer, JsonElement? customParameters = null) =>
        calls.SwitchAsync(
            CheckCallId(newCallId),
            CheckCallId(heldCallId),
            new SwitchCalls(Requester, SwitchKind.HoldAndAccept, sdpAnswer ?? string.Empty, CallService.NewId(), holdOffer ?? string.Empty) { CustomParameters = HubArguments.CustomParameters(customParameters) },
            Context.ConnectionAborted);

    /// <summary>Rule 23: accepts the waiting call <paramref name="newCallId"/> and ends <paramref name="endedCallId"/>, as one command.</summary>
    public Task EndAndAccept(string? newCallId, string? endedCallId, string? sdpAnswer, string? reason = null, JsonElement? customParameters = null) =>
        calls.SwitchAsync(
            CheckCallId(newCallId),
            CheckCallId(endedCallId),
            new SwitchCalls(Requester, SwitchKind.EndAndAccept, sdpAnswer ?? string.Empty, string.Empty, null) { ReasonText = reason, CustomParameters = HubArguments.CustomParameters(customParameters) },
            Context.ConnectionAborted);

    /// <summary>Rule 24: relays DTMF digits to the other party (<c>DtmfReceived</c>).</summary>
    public Task SendDtmf(string? callId, string? digits) => Execute(callId, new SendDtmf(Requester, digits ?? string.Empty));

    /// <summary>Rule 25: sends custom parameters to the other party (<c>CustomParametersReceived</c>).</summary>
    public Task SendCustomParameters(string? callId, JsonElement? customParameters) =>
        Execute(callId, new SendCustomParameters(Requester, HubArguments.CustomParameters(customParameters)));

    /// <summary>Rule 27: one quality sample of this party's media, kept for the call's record.</summary>
    public Task ReportQuality(string? callId, JsonElement? sample) =>
        calls.ReportQualityAsync(CheckCallId(callId), new ReportQuality(Requester, HubArguments.QualitySample(sample)), Context.ConnectionAborted);

    public Task<string> HoldCall(string? callId, string? sdpOffer) => StartOperation(callId, MediaOperation.HoldCall, sdpOffer);

    public Task<string> UnholdCall(string? callId, string? sdpOffer) => StartOperation(callId, MediaOperation.UnholdCall, sdpOffer);

    public Task<string> VideoStart(string? callId, string? sdpOffer) => StartOperation(callId, MediaOperation.VideoStart, sdpOffer);

    public Task<string> VideoStop(string? callId, string? sdpOffer) => StartOperation(callId, MediaOperation.VideoStop, sdpOffer);

    /// <summary>Moves a call of this account to this device (its own offer); returns the operation id. See protocol.md, PullCall.</summary>
    public Task<string> PullCall(string? callId, string? sdpOffer) =>
        calls.PullAsync(CheckCallId(callId), Requester, sdpOffer, Context.ConnectionAborted);

    /// <summary>Blind transfer: the other party calls <paramref name="target"/>; returns the new call's id. See protocol.md, TransferCall.</summary>
    public Task<string> TransferCall(string? callId, string? target) =>
        transfers.TransferAsync(CheckCallId(callId), Requester, target, Context.ConnectionAborted);

    /// <summary>Attended transfer: the other parties of this call and of <paramref name="otherCallId"/> are connected; returns the new call's id.</summary>
    public Task<string> ConsultativeTransfer(string? callId, string? otherCallId) =>
        transfers.ConsultativeTransferAsync(CheckCallId(callId), Requester, CheckCallId(otherCallId), Context.ConnectionAborted);

    public Task AnswerRenegotiation(string? callId, string? operationId, string? sdpAnswer) =>
        Execute(callId, new AnswerRenegotiation(Requester, operationId ?? string.Empty, sdpAnswer ?? string.Empty));

    public Task RejectRenegotiation(string? callId, string? operationId, string? reason) =>
        Execute(callId, new RejectRenegotiation(Requester, operationId ?? string.Empty, reason));

    public Task Mute(string? callId) => Execute(callId, new SetMuted(Requester, true));

    public Task Unmute(string? callId) => Execute(callId, new SetMuted(Requester, false));

    public Task SendIceCandidate(string? callId, IceCandidateMessage? candidate)
    {
        if (candidate is null)
        {
            throw Refused(ErrorCode.InvalidArgument, "a candidate is required");
        }

        if (candidate.SdpMLineIndex is < 0 or > int.MaxValue)
        {
            throw Refused(ErrorCode.InvalidArgument, "sdpMLineIndex is the index of a media line");
        }

        return Execute(callId, new SendIceCandidate(Requester, new IceCandidate(candidate.Candidate!, candidate.SdpMid, (int?)candidate.SdpMLineIndex)));
    }

    public Task<CallSnapshot> GetCall(string? callId) => calls.GetAsync(CheckCallId(callId), Requester, Context.ConnectionAborted);

    public Task<IReadOnlyList<CallSnapshot>> GetActiveCalls() => calls.GetActiveAsync(Requester, Context.ConnectionAborted);

    /// <summary>The account's calls in progress on its other devices (what PullCall can move here), as their party sees them.</summary>
    public Task<IReadOnlyList<CallSnapshot>> GetCallsOnOtherDevices() => calls.GetOnOtherDevicesAsync(Requester, Context.ConnectionAborted);

    public Task<CallSnapshot> ResumeCall(string? callId) => calls.ResumeAsync(CheckCallId(callId), Requester, Context.ConnectionAborted);

    private async Task ForgetPresenceAsync(Address account, string deviceId)
    {
        try
        {
            await presence.RemoveAsync(account, deviceId);
        }
        catch (StoreUnavailableException unavailable)
        {
            // Whatever reached the store is settled by the node's own-device reconciliation later.
            HubLog.PresenceNotRemoved(logger, deviceId, unavailable.Message);
        }
    }

    private CallerIdentity Identity =>
        CallerIdentity.From(Context.User, directory.DefaultDomain) ?? throw Refused(ErrorCode.Unauthorized, "the token names no valid caller");

    private Requester Requester => new(Identity.Account, Context.ConnectionId);

    private Task Execute(string? callId, CallCommand command) =>
        calls.ExecuteAsync(CheckCallId(callId), command, Context.ConnectionAborted);

    private Task<string> StartOperation(string? callId, MediaOperation operation, string? sdpOffer) =>
        calls.StartOperationAsync(CheckCallId(callId), Requester, operation, sdpOffer, Context.ConnectionAborted);

    private static string CheckCallId(string? callId) =>
        string.IsNullOrEmpty(callId) || callId.Length > MaxCallIdLength
            ? throw Refused(ErrorCode.CallNotFound, "no such call")
            : callId;

    private static CallRefusedException Refused(ErrorCode code, string message) => CallRefusedException.Of(code, message);
}
