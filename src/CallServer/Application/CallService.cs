using System.Security.Cryptography;
using CallServer.Auth;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Domain.Views;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
using CallServer.Outbox;
using Microsoft.Extensions.Options;

namespace CallServer.Application;

/// <summary>
/// Runs one command: load the call, let the decider decide, save only if the version is unchanged
/// (deciding again on a lost race), deliver the events, schedule the timers, apply the follow-ups.
/// </summary>
public sealed class CallService(
    ICallStore store,
    CallDirectory directory,
    CallNotifier notifier,
    IOptions<CallsOptions> options,
    TimeProvider clock,
    CallServerMetrics metrics,
    OutboxSignal outboxSignal,
    IOptions<WebhooksOptions> webhooks,
    ILogger<CallService> logger)
{
    private const int MaxAttempts = 64;

    /// <summary>The longest pause, in milliseconds, before a command decides again after a lost race.</summary>
    private const int MaxRetryPauseMilliseconds = 16;

    private const int MaxTimerAttempts = 1024;

    private DeciderSettings Settings => new(options.Value.RingTimeout, options.Value.OperationTimeout, options.Value.ReconnectGrace, MaxCallsPerCaller: options.Value.MaxCallsPerCaller);

    public async Task<CallSnapshot> CreateAsync(CallerIdentity identity, string deviceId, string? calleeText, CancellationToken cancellationToken = default)
    {
        var callee = directory.Parse(calleeText);

        // Independent reads, sent together.
        var profileRead = directory.ProfileOfAsync(identity, cancellationToken);
        var ringAccountRead = directory.RingAccountOfAsync(callee, cancellationToken);
        var call = await CreateAsync(new Requester(identity.Account, deviceId), await profileRead, callee, await ringAccountRead, origin: null, cancellationToken);
        return CallProjection.View(call, CallViewer.CallerOf(call));
    }

    /// <summary>
    /// Creates a call of <paramref name="requester"/> to <paramref name="callee"/> (whose devices are
    /// <paramref name="ringAccount"/>'s), placed by a transfer when <paramref name="origin"/> is set; throws the refusal.
    /// </summary>
    public async Task<Call> CreateAsync(Requester requester, CallerProfile profile, Address? callee, Address? ringAccount, TransferOrigin? origin, CancellationToken cancellationToken = default)
    {
        // The first attempt counts on the caller being under its limit: the store's create checks that in
        // the same atomic step, and only when it is not so are the calls in progress counted, for the
        // decider to refuse (or, if one ended meanwhile, to create after all).
        var callsInProgress = 0;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (attempt > 1)
            {
                callsInProgress = await store.CountCallsInProgressAsync(requester.Account, cancellationToken);
            }

            var command = new CreateCall(store.NewCallId(requester.Account), requester, profile with { CallsInProgress = callsInProgress }, callee, new CalleeLookup(ringAccount, []));
            var now = clock.GetUtcNow();
            var decision = origin is null ? CallDecider.Create(command, Settings, now) : CallDecider.CreateTransferred(command, origin, Settings, now);
            ThrowIfRefused(decision);

            // The store saves it only while the caller is still under the limit the decision was made
            // against; a concurrent create that got there first makes this one count and decide again.
            var outbox = CallOutbox.MessagesOf(null, decision, now, OutboxSettings);
            if (!await store.TrySaveAsync(CallChange.Create(decision.Call!, Settings.MaxCallsPerCaller, decision.Timers, outbox), cancellationToken))
            {
                continue;
            }

            outboxSignal.Set(outbox);

            await CarryOutAsync(decision, CancellationToken.None);
            metrics.CallChanged(null, decision.Call!);
            CallLog.Created(logger, decision.Call!.CallId, requester.Account, callee);
            return decision.Call;
        }

        throw CallRefusedException.Of(ErrorCode.Unavailable, "could not create the call; try again");
    }

    /// <summary>What the decider would make of <paramref name="command"/> on <paramref name="call"/> now (nothing is saved or sent).</summary>
    public Decision Check(Call call, CallCommand command) => CallDecider.Decide(call, command, Settings, clock.GetUtcNow());

    /// <summary>The stored call; <c>CallNotFound</c> when there is none.</summary>
    public Task<Call> GetStoredAsync(string callId, CancellationToken cancellationToken = default) => LoadAsync(callId, cancellationToken);

    public Task EstablishAsync(string callId, Requester requester, string? sdpOffer, CancellationToken cancellationToken = default) =>
        EstablishAsync(callId, requester, sdpOffer, customParameters: null, cancellationToken);

    public async Task EstablishAsync(string callId, Requester requester, string? sdpOffer, IReadOnlyDictionary<string, string>? customParameters, CancellationToken cancellationToken = default)
    {
        var call = await LoadLastSeenAsync(callId, cancellationToken);

        // Only look up the callee's devices for a party; anyone else gets CallNotFound from the decider. The call
        // itself is at hand: the lookup does not read it again (whether it counts is the decider's business).
        var lookup = CallDecider.SideOf(call, requester.Account) == CallSide.Caller
            ? await directory.LookupAsync(call.Callee.Address, forCall: callId, cancellationToken)
            : CalleeLookup.NotFound;
        await ExecuteAsync(call, new EstablishCall(requester, sdpOffer ?? string.Empty, lookup) { CustomParameters = customParameters }, fresh: false, cancellationToken);
    }

    public async Task ForwardAsync(string callId, Requester requester, string? target, CancellationToken cancellationToken = default)
    {
        var call = await LoadLastSeenAsync(callId, cancellationToken);
        var parsed = directory.Parse(target);
        var lookup = CallDecider.SideOf(call, requester.Account) == CallSide.Callee && parsed is not null
            ? await directory.LookupAsync(parsed, cancellationToken)
            : CalleeLookup.NotFound;
        await ExecuteAsync(call, new ForwardCall(requester, target ?? string.Empty, parsed, lookup), fresh: false, cancellationToken);
    }

    public async Task<string> StartOperationAsync(string callId, Requester requester, MediaOperation operation, string? sdpOffer, CancellationToken cancellationToken = default)
    {
        var operationId = NewId();
        await ExecuteAsync(callId, new StartMediaOperation(requester, operation, operationId, sdpOffer ?? string.Empty), cancellationToken);
        CallLog.OperationStarted(logger, callId, operation, operationId, requester.Account);
        return operationId;
    }

    /// <summary>
    /// Rule 23: <c>HoldAndAccept</c> / <c>EndAndAccept</c>. Both calls are decided, on their stored versions, before either
    /// changes: a refusal of either changes nothing. The accept is saved first (it is the one that races: another device
    /// answers, the caller hangs up; if it loses, nothing has changed), then the hold or end of the call in progress. If that
    /// call ended in between, there is nothing left to hold (null). Returns the hold's operation id.
    /// </summary>
    public async Task<string?> SwitchAsync(string waitingCallId, string currentCallId, SwitchCalls command, CancellationToken cancellationToken = default)
    {
        var waitingRead = LoadAsync(waitingCallId, cancellationToken);
        var currentRead = LoadAsync(currentCallId, cancellationToken);
        var (waiting, current) = (await waitingRead, await currentRead);
        var decision = CallDecider.Switch(waiting, current, command, Settings, clock.GetUtcNow());
        if (decision.Error is { } error)
        {
            throw new CallRefusedException(error);
        }

        await ExecuteAsync(waiting, command.Accept, fresh: true, cancellationToken);
        try
        {
            // The waiting call is answered: what it promised the other call must happen even if the requester goes away now.
            await ExecuteAsync(current, command.Other, fresh: true, CancellationToken.None);
        }
        catch (CallRefusedException refused)
        {
            if ((await store.GetAsync(currentCallId, CancellationToken.None))?.Phase is null or CallPhase.Ended)
            {
                return null;
            }

            throw CallRefusedException.Of(refused.Error.Code, $"the waiting call was answered, but the other call was not changed: {refused.Error.Message}");
        }

        CallLog.CallsSwitched(logger, waitingCallId, currentCallId, command.Kind);
        return command.Kind == SwitchKind.HoldAndAccept ? command.HoldOperationId : null;
    }

    /// <summary>Rule 27: keeps a party's quality sample and counts its MOS.</summary>
    public async Task ReportQualityAsync(string callId, ReportQuality command, CancellationToken cancellationToken = default)
    {
        var call = await ExecuteAsync(callId, command, cancellationToken);
        if (CallDecider.SideOf(call, command.Requester.Account) is { } side)
        {
            metrics.QualityReported(side, command.Sample.Mos);
        }
    }

    /// <summary>Rule 20: this device takes a call of its account over; returns the operation id the other party answers.</summary>
    public async Task<string> PullAsync(string callId, Requester requester, string? sdpOffer, CancellationToken cancellationToken = default)
    {
        var operationId = NewId();
        await ExecuteAsync(callId, new PullCall(requester, operationId, sdpOffer ?? string.Empty), cancellationToken);
        CallLog.OperationStarted(logger, callId, MediaOperation.PullCall, operationId, requester.Account);
        return operationId;
    }

    public async Task<CallSnapshot> ResumeAsync(string callId, Requester requester, CancellationToken cancellationToken = default)
    {
        var call = await ExecuteAsync(callId, new ResumeCall(requester), cancellationToken);
        CallLog.Resumed(logger, callId, requester.Account, requester.DeviceId);
        return CallProjection.View(call, CallDecider.ViewerFor(call, requester)!);
    }

    public async Task<CallSnapshot> GetAsync(string callId, Requester requester, CancellationToken cancellationToken = default)
    {
        var call = await LoadAsync(callId, cancellationToken);
        var viewer = CallDecider.ViewerFor(call, requester) ?? throw NotFound();
        return CallProjection.View(call, viewer);
    }

    /// <summary>The requester's calls that have not ended as it sees them.</summary>
    public async Task<IReadOnlyList<CallSnapshot>> GetActiveAsync(Requester requester, CancellationToken cancellationToken = default)
    {
        var calls = await store.GetActiveCallsOfAsync(requester.Account, cancellationToken);
        return calls
            .Select(call => CallDecider.ViewerFor(call, requester) is { } viewer ? CallProjection.View(call, viewer) : null)
            .OfType<CallSnapshot>()
            .Where(snapshot => snapshot.State != CallState.Ended)
            .OrderBy(snapshot => snapshot.CreatedAt)
            .ToList();
    }

    /// <summary>
    /// The account's calls in progress (in call or held) that another of its devices holds, as that device's
    /// party sees them: what <c>PullCall</c> can move to the requester's device.
    /// </summary>
    public async Task<IReadOnlyList<CallSnapshot>> GetOnOtherDevicesAsync(Requester requester, CancellationToken cancellationToken = default)
    {
        var calls = await store.GetActiveCallsOfAsync(requester.Account, cancellationToken);
        return calls
            .Select(call => CallDecider.PullableBy(call, requester) is { } viewer ? CallProjection.View(call, viewer) : null)
            .OfType<CallSnapshot>()
            .OrderBy(snapshot => snapshot.CreatedAt)
            .ToList();
    }

    /// <summary>
    /// A device connected: the calls ringing its account now (a push woke it, or it was simply opened) ring
    /// it too. Only for the calls it is not ringing yet; a call that stops ringing meanwhile is left alone.
    /// </summary>
    public async Task RingNewDeviceAsync(Requester requester, CancellationToken cancellationToken = default)
    {
        foreach (var call in await store.GetActiveCallsOfAsync(requester.Account, cancellationToken))
        {
            // The decider says whether this call rings the device (most of the account's calls do not: it
            // places them, or they are answered); those it does not ring are decided unchanged, unsaved.
            try
            {
                await ExecuteAsync(call, new DeviceConnected(requester), fresh: true, cancellationToken);
            }
            catch (CallRefusedException refused)
            {
                CallLog.DisconnectNotApplied(logger, call.CallId, requester.DeviceId, refused.Error.ToString());
            }
        }
    }

    /// <summary>A device's connection closed: every call it takes part in starts its grace period or stops ringing there.</summary>
    public async Task DisconnectAsync(Requester requester, CancellationToken cancellationToken = default)
    {
        foreach (var call in await store.GetActiveCallsOfAsync(requester.Account, cancellationToken))
        {
            try
            {
                await ExecuteAsync(call, new DeviceDisconnected(requester), fresh: true, cancellationToken);
            }
            catch (CallRefusedException refused)
            {
                CallLog.DisconnectNotApplied(logger, call.CallId, requester.DeviceId, refused.Error.ToString());
            }
        }
    }

    /// <summary>
    /// The store lost its data: of the calls this node <paramref name="remembered"/>, those that are gone
    /// now are ended for their parties, as they were last seen (nothing is saved: there is nothing left to
    /// save to). Returns how many.
    /// </summary>
    public async Task<int> ReportLostCallsAsync(IReadOnlyList<Call> remembered, CancellationToken cancellationToken = default)
    {
        var lost = 0;
        foreach (var call in remembered)
        {
            if (await store.GetAsync(call.CallId, cancellationToken) is not null)
            {
                continue;
            }

            var decision = CallDecider.Decide(call, new CallLost(), Settings, clock.GetUtcNow());
            if (decision.IsRefused)
            {
                continue;
            }

            CallLog.Ended(logger, call.CallId, decision.Call!.Caller.End?.Reason, decision.Call.Callee.End?.Reason);
            await notifier.DeliverAsync(decision.Call, decision.Notifications, CancellationToken.None);
            lost++;
        }

        return lost;
    }

    /// <summary>
    /// Fires a timer. A timer is never the one to give way: where a command pauses after a lost race and
    /// gives up after <see cref="MaxAttempts"/>, a timer decides again at once (each attempt starts from
    /// the version that won, without a read) until it gets its turn, so contention on a call cannot delay
    /// its ring, operation or grace timer by a retry cycle.
    /// </summary>
    public async Task FireTimerAsync(DueTimer timer, CancellationToken cancellationToken = default) =>
        await ExecuteAsync(await LoadLastSeenAsync(timer.CallId, cancellationToken), new TimerElapsed(timer.Request.Kind, timer.Request.Token), fresh: false, cancellationToken, MaxTimerAttempts);

    /// <summary>Decides <paramref name="command"/> on the stored call and carries the decision out; returns the call after it.</summary>
    public async Task<Call> ExecuteAsync(string callId, CallCommand command, CancellationToken cancellationToken = default) =>
        await ExecuteAsync(await LoadLastSeenAsync(callId, cancellationToken), command, fresh: false, cancellationToken);

    /// <summary>
    /// The same, starting from <paramref name="loaded"/>, a version of the call already at hand (no read):
    /// if it is stale, the compare-and-set fails and the next attempt starts from the version that won (the
    /// store remembers it). A version that may be stale (<paramref name="fresh"/> false: this node's last
    /// sight of the call) is trusted only by a successful compare-and-set: a refusal, or a decision to
    /// change nothing, is decided again on the stored call before it is answered or carried out.
    /// </summary>
    private async Task<Call> ExecuteAsync(Call loaded, CallCommand command, bool fresh, CancellationToken cancellationToken, int maxAttempts = MaxAttempts)
    {
        var call = loaded;
        for (var attempt = 1; attempt <= maxAttempts; attempt++)
        {
            var now = clock.GetUtcNow();
            var decision = CallDecider.Decide(call, command, Settings, now);
            if (!fresh && (decision.IsRefused || !decision.Changed))
            {
                call = await LoadAsync(call.CallId, cancellationToken);
                fresh = true;
                continue;
            }

            ThrowIfRefused(decision);

            // The follow-ups (Dialing → Ringing, Answering → InCall) are decided now and saved with the command.
            var folded = FoldedDecision.Of(call, decision, (before, followUp) => CallDecider.Decide(before, followUp, Settings, now));
            var outbox = folded.Outbox(now, OutboxSettings);
            if (folded.Changed && !await store.TrySaveAsync(CallChange.Update(folded.Call, call.Version, folded.Timers, outbox), cancellationToken))
            {
                CallLog.RaceLost(logger, call.CallId, call.Version, command.GetType().Name);
                if (maxAttempts == MaxAttempts && attempt > 1)
                {
                    // Many writers on one call (30 ringing devices trickling candidates): a random pause,
                    // growing with each lost race, spreads them out so that each gets its turn instead of
                    // all of them retrying in lockstep. Timers never pause: they take the first turn. (The
                    // shift is bounded: 1 << 31 would be negative.)
                    var longest = Math.Min(1 << Math.Min(attempt, 30), MaxRetryPauseMilliseconds);
                    await Task.Delay(Random.Shared.Next(1, longest + 1), cancellationToken);
                }

                call = await LoadLastSeenAsync(call.CallId, cancellationToken);
                fresh = false;
                continue;
            }

            if (folded.Changed)
            {
                foreach (var step in folded.Steps.Where(step => step.Decision.Changed))
                {
                    metrics.CallChanged(step.Before, step.Decision.Call!);
                }

                outboxSignal.Set(outbox);

                if (command is DeviceConnected && call.WokenAt is { } wokenAt)
                {
                    metrics.WokenDeviceConnected(clock.GetUtcNow() - wokenAt);
                }
            }

            // Saved: what follows must happen even if the requester's connection goes away now.
            foreach (var step in folded.Steps)
            {
                await DeliverAsync(step.Decision, CancellationToken.None);
            }

            return await RunFollowUpsAsync(folded.Call, folded.Remaining, CancellationToken.None);
        }

        throw CallRefusedException.Of(ErrorCode.Unavailable, "the call is changing too fast; try again");
    }

    private CallOutboxSettings OutboxSettings => new(options.Value.RingTimeout, Webhooks: webhooks.Value.Endpoints.Count > 0);

    private async Task CarryOutAsync(Decision decision, CancellationToken cancellationToken)
    {
        await DeliverAsync(decision, cancellationToken);
        await RunFollowUpsAsync(decision.Call!, decision.FollowUps, cancellationToken);
    }

    private async Task DeliverAsync(Decision decision, CancellationToken cancellationToken)
    {
        var call = decision.Call!;
        if (decision.Changed)
        {
            CallLog.Changed(logger, call.CallId, call.Phase, call.Version);
            if (call.Phase == CallPhase.Ended)
            {
                CallLog.Ended(logger, call.CallId, call.Caller.End?.Reason, call.Callee.End?.Reason);
            }
        }

        // The timers of a change were scheduled with its save; a decision changes nothing without a save.
        await notifier.DeliverAsync(call, decision.Notifications, cancellationToken);
    }

    /// <summary>Follow-ups not saved with their command run as commands of their own, from the version just saved (no read unless another command got in between).</summary>
    private async Task<Call> RunFollowUpsAsync(Call call, IReadOnlyList<CallCommand> followUps, CancellationToken cancellationToken)
    {
        foreach (var followUp in followUps)
        {
            call = await ExecuteAsync(call, followUp, fresh: true, cancellationToken);
        }

        return call;
    }

    private async Task<Call> LoadAsync(string callId, CancellationToken cancellationToken) =>
        await store.GetAsync(callId, cancellationToken) ?? throw NotFound();

    private async Task<Call> LoadLastSeenAsync(string callId, CancellationToken cancellationToken) =>
        await store.GetLastSeenAsync(callId, cancellationToken) ?? throw NotFound();

    public static void ThrowIfRefused(Decision decision)
    {
        if (decision.Error is { } error)
        {
            throw new CallRefusedException(error);
        }
    }

    private static CallRefusedException NotFound() => CallRefusedException.Of(ErrorCode.CallNotFound, "no such call");

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
