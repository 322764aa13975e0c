using CallServer.Application;
using CallServer.Auth;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;

namespace CallServer.Transfers;

/// <summary>
/// Starts transfers (rule 21): the decider checks the transfer on the call as it is, the transferee's new call
/// is created with every rule of a call it dials (as the transferee, from its device), and only then is the
/// old call marked, so that the transferee, told at once, finds its new call. A transfer that loses a race
/// on the old call abandons the new call before anyone used it.
/// </summary>
public sealed class CallTransfers(CallService calls, CallDirectory directory, ILogger<CallTransfers> logger)
{
    private const string NotYetCreated = "-";

    /// <summary><c>TransferCall</c>: returns the new call's id.</summary>
    public async Task<string> TransferAsync(string callId, Requester requester, string? targetText, CancellationToken cancellationToken = default)
    {
        var call = await calls.GetStoredAsync(callId, cancellationToken);
        var target = directory.Parse(targetText);
        CallService.ThrowIfRefused(calls.Check(call, new TransferCall(requester, NotYetCreated, target)));

        var transferorSide = CallDecider.SideOf(call, requester.Account)!.Value;
        var origin = new TransferOrigin(callId, call.Party(transferorSide).Address);
        var newCall = await CreateForTransfereeAsync(call, transferorSide.Other(), target, origin, cancellationToken);
        await StartOrAbandonAsync(callId, newCall, new TransferCall(requester, newCall.CallId, target), cancellationToken);
        TransferLog.Started(logger, callId, nameof(TransferKind.Blind), requester.Account.Value, target!.Value, newCall.CallId);
        return newCall.CallId;
    }

    /// <summary><c>ConsultativeTransfer</c>: connects the other party of <paramref name="callId"/> to the other party of <paramref name="otherCallId"/>; returns the new call's id.</summary>
    public async Task<string> ConsultativeTransferAsync(string callId, Requester requester, string otherCallId, CancellationToken cancellationToken = default)
    {
        var transfereeCall = await calls.GetStoredAsync(callId, cancellationToken);
        var targetCall = await calls.GetStoredAsync(otherCallId, cancellationToken);
        var targetSide = CallDecider.SideOf(targetCall, requester.Account)?.Other();
        var target = targetSide is { } side ? targetCall.Party(side).Address : null;
        // The consultation call first: a requester that is no party of it learns nothing of the other.
        CallService.ThrowIfRefused(calls.Check(targetCall, Command(NotYetCreated)));
        CallService.ThrowIfRefused(calls.Check(transfereeCall, Command(NotYetCreated)));

        var transferorSide = CallDecider.SideOf(transfereeCall, requester.Account)!.Value;
        var origin = new TransferOrigin(callId, transfereeCall.Party(transferorSide).Address, otherCallId, targetCall.Party(targetSide!.Value).DeviceId);
        var newCall = await CreateForTransfereeAsync(transfereeCall, transferorSide.Other(), target, origin, cancellationToken);
        await StartOrAbandonAsync(callId, newCall, Command(newCall.CallId), cancellationToken);
        try
        {
            await calls.ExecuteAsync(otherCallId, Command(newCall.CallId), cancellationToken);
        }
        catch (CallRefusedException refused)
        {
            // The consultation call changed meanwhile (hung up, unheld): the transfer is over before it began.
            await calls.ExecuteAsync(callId, new TransferProgressed(newCall.CallId, TransferProgress.Failed, EndReason.Failed), CancellationToken.None);
            await AbandonAsync(callId, newCall, refused);
            throw;
        }

        TransferLog.Started(logger, callId, nameof(TransferKind.Consultative), requester.Account.Value, target!.Value, newCall.CallId);
        return newCall.CallId;

        ConsultativeTransfer Command(string newCallId) => new(requester, newCallId, callId, otherCallId, target!);
    }

    /// <summary>The transferee's new call to <paramref name="target"/>, created as if it had dialed it from its device.</summary>
    private async Task<Call> CreateForTransfereeAsync(Call call, CallSide transfereeSide, Domain.Addresses.Address? target, TransferOrigin origin, CancellationToken cancellationToken)
    {
        var transferee = call.Party(transfereeSide);
        var anonymous = transferee.Account.Kind == Domain.Addresses.AddressKind.Anonymous;
        var identity = new CallerIdentity(
            transferee.Account,
            anonymous,
            anonymous && transfereeSide == CallSide.Caller && call.CallerAllowedCallees is { } allowed ? allowed.ToHashSet() : null,
            transferee.DisplayName);
        var profileRead = directory.ProfileOfAsync(identity, cancellationToken);
        var ringAccountRead = directory.RingAccountOfAsync(target, cancellationToken);
        return await calls.CreateAsync(new Requester(transferee.Account, transferee.DeviceId), await profileRead, target, await ringAccountRead, origin, cancellationToken);
    }

    private async Task StartOrAbandonAsync(string callId, Call newCall, CallCommand start, CancellationToken cancellationToken)
    {
        try
        {
            await calls.ExecuteAsync(callId, start, cancellationToken);
        }
        catch (CallRefusedException refused)
        {
            await AbandonAsync(callId, newCall, refused);
            throw;
        }
    }

    /// <summary>Ends the new call of a transfer that did not start (its setup fails at once: nobody was told of it).</summary>
    private async Task AbandonAsync(string callId, Call newCall, CallRefusedException why)
    {
        TransferLog.Abandoned(logger, callId, newCall.CallId, why.Error.ToString());
        await calls.ExecuteAsync(newCall.CallId, new TimerElapsed(CallTimerKind.Setup, string.Empty), CancellationToken.None);
    }
}
