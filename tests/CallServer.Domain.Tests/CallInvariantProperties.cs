using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;
using FsCheck;
using FsCheck.Fluent;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>
/// Random command sequences from random parties (the caller's devices, 2–3 devices of the callee, the
/// devices of two forward targets, a stranger), timers with current and stale tokens, and follow-ups
/// applied late; after every step the invariants of the contract must hold.
/// </summary>
public sealed class CallInvariantProperties
{
    public enum Op
    {
        Establish,
        Accept,
        Reject,
        Ignore,
        Forward,
        End,
        Hold,
        Unhold,
        VideoStart,
        VideoStop,
        Answer,
        RejectRenegotiation,
        Mute,
        Unmute,
        Ice,
        Resume,
        Disconnect,
        RingTimer,
        OperationTimer,
        GraceTimer,
        AnswerTimer,
        FollowUp,
        MarkAlerted,
        DeviceConnected,
        Pull,
        Transfer,
        Consult,
        TransferProgress,
        TransferTimer,
        Dtmf,
        Parameters,
        Quality,
    }

    private static readonly Address Grace = Addr("grace");
    private static readonly Address Frank = Addr("frank");
    private static readonly Requester GracePhone = new(Grace, "grace-phone");

    /// <summary>Everyone who may send a command; eve-phone is no party of the call, ever.</summary>
    private static readonly Requester[] Actors =
    [
        AlicePhone, AliceLaptop, BobPhone, BobLaptop, BobTablet, CarolPhone, CarolLaptop, GracePhone, EvePhone,
    ];

    private const int Stranger = 8;

    /// <summary>One step: what, by whom (<see cref="Actor"/> indexes <see cref="Actors"/>), and two dice.</summary>
    /// <param name="Redirect">0–5: a party acts from its bound device; 6–9: from <see cref="Actor"/> as is.</param>
    /// <param name="Flavor">Chooses the content: the offer, the target, current or stale token, bad input.</param>
    public sealed record Step(Op Op, int Actor, int Redirect, int Flavor)
    {
        public override string ToString() => $"{Op}({Actors[Actor].DeviceId},r{Redirect},f{Flavor})";
    }

    /// <summary>Where a run starts: the new call, a ringing one, one in progress, one the caller holds.</summary>
    public enum Start
    {
        Created,
        Ringing,
        InCall,
        CallerHolds,
    }

    public sealed record Run(int CalleeDevices, Start Start, Step[] Steps)
    {
        public override string ToString() =>
            $"{CalleeDevices} callee devices, from {Start}: {string.Join(" ", Steps.Select(s => s.ToString()))}";
    }

    private static readonly Gen<Op> OpGen = Gen.Frequency(
        (2, Gen.Constant(Op.Establish)),
        (6, Gen.Constant(Op.Accept)),
        (1, Gen.Constant(Op.Reject)),
        (2, Gen.Constant(Op.Ignore)),
        (3, Gen.Constant(Op.Forward)),
        (1, Gen.Constant(Op.End)),
        (6, Gen.Constant(Op.Hold)),
        (3, Gen.Constant(Op.Unhold)),
        (3, Gen.Constant(Op.VideoStart)),
        (2, Gen.Constant(Op.VideoStop)),
        (9, Gen.Constant(Op.Answer)),
        (2, Gen.Constant(Op.RejectRenegotiation)),
        (2, Gen.Constant(Op.Mute)),
        (2, Gen.Constant(Op.Unmute)),
        (3, Gen.Constant(Op.Ice)),
        (2, Gen.Constant(Op.Resume)),
        (1, Gen.Constant(Op.Disconnect)),
        (1, Gen.Constant(Op.RingTimer)),
        (2, Gen.Constant(Op.OperationTimer)),
        (2, Gen.Constant(Op.GraceTimer)),
        (1, Gen.Constant(Op.AnswerTimer)),
        (8, Gen.Constant(Op.FollowUp)),
        (1, Gen.Constant(Op.MarkAlerted)),
        (2, Gen.Constant(Op.DeviceConnected)),
        (3, Gen.Constant(Op.Pull)),
        (3, Gen.Constant(Op.Transfer)),
        (1, Gen.Constant(Op.Consult)),
        (4, Gen.Constant(Op.TransferProgress)),
        (1, Gen.Constant(Op.TransferTimer)),
        (2, Gen.Constant(Op.Dtmf)),
        (2, Gen.Constant(Op.Parameters)),
        (2, Gen.Constant(Op.Quality)));

    private static Gen<int> Weighted(params int[] weights) =>
        Gen.Frequency(weights.Select((w, i) => (w, Gen.Constant(i))).Where(x => x.w > 0));

    //                                              alice-phone alice-laptop bob-phone bob-laptop bob-tablet carol-phone carol-laptop grace eve
    private static readonly Gen<int> CallerSideActor = Weighted(8, 1, 1, 0, 0, 0, 0, 0, 1);
    private static readonly Gen<int> CalleeSideActor = Weighted(1, 0, 4, 4, 2, 3, 2, 2, 1);
    private static readonly Gen<int> AnyActor = Weighted(4, 1, 3, 2, 1, 2, 1, 1, 1);

    private static Gen<int> ActorFor(Op op) => op switch
    {
        Op.Establish => CallerSideActor,
        Op.Accept or Op.Reject or Op.Ignore or Op.Forward => CalleeSideActor,
        _ => AnyActor,
    };

    private static readonly Gen<Step> StepGen =
        from op in OpGen
        from actor in ActorFor(op)
        from redirect in Gen.Choose(0, 9)
        from flavor in Gen.Choose(0, 9)
        select new Step(op, actor, redirect, flavor);

    private static readonly Gen<Run> RunGen =
        from devices in Gen.Choose(2, 3)
        from start in Gen.Frequency((3, Gen.Constant(Start.Created)), (4, Gen.Constant(Start.Ringing)), (4, Gen.Constant(Start.InCall)), (2, Gen.Constant(Start.CallerHolds)))
        from length in Gen.Choose(1, 40)
        from steps in Gen.ArrayOf(StepGen, length)
        select new Run(devices, start, steps);

    [Fact]
    public void Every_step_of_a_random_call_keeps_the_invariants()
    {
        var property = Prop.ForAll(Arb.From(RunGen), run => { Execute(run); });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    /// <summary>Guards the property itself: the generated runs do reach the interesting states.</summary>
    [Fact]
    public void The_random_calls_reach_every_state_and_end_reason()
    {
        var seen = new HashSet<string>();
        foreach (var run in Gen.Sample(RunGen, 2000)) // enough that the rarest (Busy) is reached in every run
        {
            seen.UnionWith(Execute(run));
        }

        string[] expected =
        [
            "Dialing", "Ringing", "Answering", "InCall", "OnHold", "RemotelyHeld", "OnDoubleHold", "Ended",
            "EndedLocally", "EndedRemotely", "Rejected", "Ignored", "NoAnswer", "Unavailable", "Forwarded",
            "AnsweredElsewhere", "Canceled", "ConnectionLost", "MovedToAnotherDevice", "video", "muted", "pending",
            "woken", "transferring", "Transferred", "stopWaking:AnsweredElsewhere", "stopWaking:Canceled", "stopWaking:Forwarded", "stopWaking:NoAnswer", "missedCall:Canceled", "missedCall:NoAnswer",
            "Busy", "waiting", "dtmf", "parameters", "quality", "endReasonText",
        ];
        Assert.Empty(expected.Except(seen));
    }

    /// <summary>Runs <paramref name="run"/>, checking every step; returns what the parties got to see.</summary>
    private static HashSet<string> Execute(Run run)
    {
        var seen = new HashSet<string>();
        var created = CallDecider.Create(CreateCommand(Bob, BobsDevices()), T0);
        var call = created.Call!;
        var now = T0;
        var followUps = new Queue<CallCommand>();
        var timers = new List<TimerRequest>();
        var log = new List<string>();
        Step[] prefix = run.Start switch
        {
            Start.Created => [],
            Start.Ringing => [new(Op.Establish, 0, 0, 0), new(Op.FollowUp, 0, 0, 0)],
            Start.InCall => [new(Op.Establish, 0, 0, 0), new(Op.FollowUp, 0, 0, 0), new(Op.Accept, 2, 0, 0), new(Op.FollowUp, 0, 0, 0)],
            _ =>
            [
                new(Op.Establish, 0, 0, 0), new(Op.FollowUp, 0, 0, 0), new(Op.Accept, 2, 0, 0), new(Op.FollowUp, 0, 0, 0),
                new(Op.Hold, 0, 0, 0), new(Op.Answer, 2, 0, 0),
            ],
        };
        var steps = prefix.Concat(run.Steps).ToList();
        var index = 0;

        void Apply(CallCommand command, string label)
        {
            now += TimeSpan.FromSeconds(1);
            var before = call;
            var viewsBefore = Views(before);
            var decision = CallDecider.Decide(before, command, Settings, now);
            log.Add($"{label} → {(decision.IsRefused ? decision.Error!.Code.ToString() : decision.Changed ? "v" + decision.Call!.Version : "unchanged")}");
            try
            {
                CheckStep(before, viewsBefore, decision, now);
                CheckDuringCall(before, command, decision);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"Invariant broken at step {log.Count}:{Environment.NewLine}{string.Join(Environment.NewLine, log)}{Environment.NewLine}{e.Message}", e);
            }

            if (!decision.IsRefused)
            {
                call = decision.Call!;
                if (call.WokenAccount is not null)
                {
                    seen.Add("woken");
                }

                seen.UnionWith(decision.Wakes.OfType<StopWaking>().Select(s => "stopWaking:" + s.Reason));
                seen.UnionWith(decision.Wakes.OfType<MissedCall>().Select(s => "missedCall:" + s.Reason));
                seen.UnionWith(decision.Notifications.Select(n => n switch
                {
                    DtmfReceivedNotification => "dtmf",
                    CustomParametersReceivedNotification => "parameters",
                    _ => string.Empty,
                }));
                if (call.Devices.Any(d => d.Waiting))
                {
                    seen.Add("waiting");
                }

                if (call.Caller.Quality is not null || call.Callee.Quality is not null)
                {
                    seen.Add("quality");
                }

                if (call.EndReasonText is not null)
                {
                    seen.Add("endReasonText");
                }
                foreach (var followUp in decision.FollowUps)
                {
                    followUps.Enqueue(followUp);
                }

                timers.AddRange(decision.Timers);
            }

            foreach (var (_, view) in Views(call))
            {
                seen.Add(view.State.ToString());
                if (view.EndReason is { } reason)
                {
                    seen.Add(reason.ToString());
                }

                if (view.Media.LocalVideo)
                {
                    seen.Add("video");
                }

                if (view.Media.LocalMuted)
                {
                    seen.Add("muted");
                }

                if (view.PendingOperationId is not null)
                {
                    seen.Add("pending");
                }

                if (call.Transfer is not null && call.Phase != CallPhase.Ended)
                {
                    seen.Add("transferring");
                }
            }
        }

        foreach (var step in steps)
        {
            index++;
            var command = Interpret(step, call, run, index, followUps, timers);
            Apply(command, $"{step} = {Describe(command)}");
        }

        // The application delivers what it still owes.
        while (followUps.TryDequeue(out var followUp))
        {
            Apply(followUp, $"late {followUp}");
        }

        return seen;
    }

    private static string Describe(CallCommand command) => command switch
    {
        EstablishCall c => $"EstablishCall({c.Requester.DeviceId}, {c.Callee.Devices.Count} devices)",
        AcceptCall c => $"AcceptCall({c.Requester.DeviceId})",
        ForwardCall c => $"ForwardCall({c.Requester.DeviceId} → {c.Target}, {c.TargetLookup.Devices.Count} devices)",
        StartMediaOperation c => $"{c.Operation}({c.Requester.DeviceId}, {c.OperationId})",
        AnswerRenegotiation c => $"AnswerRenegotiation({c.Requester.DeviceId}, {c.OperationId})",
        RejectRenegotiation c => $"RejectRenegotiation({c.Requester.DeviceId}, {c.OperationId})",
        SendIceCandidate c => $"SendIceCandidate({c.Requester.DeviceId}, {c.Candidate.Candidate.Length} chars)",
        PartyCommand c => $"{c.GetType().Name}({c.Requester.DeviceId})",
        _ => command.ToString(),
    };

    /// <summary>Makes the concrete command of <paramref name="step"/> against the current call.</summary>
    private static CallCommand Interpret(Step step, Call call, Run run, int index, Queue<CallCommand> followUps, List<TimerRequest> timers)
    {
        var actor = Actors[step.Actor];
        var flavor = step.Flavor;
        var opId = "op-" + index;
        switch (step.Op)
        {
            case Op.Establish:
                var offer = (flavor % 3) switch
                {
                    0 => TestSdp.AudioOffer,
                    1 => TestSdp.AudioWithInactiveVideoOffer,
                    _ => TestSdp.VideoOffer,
                };
                // Redirect decides whether bob has a push registration: with none and no device, Unavailable.
                // Redirect also decides which of bob's devices are in other calls, and bob's busy policy (rule 22).
                var bobs = Actors[2..(2 + run.CalleeDevices)].Select(d => d.DeviceId!).ToList();
                var devices = (flavor >= 7 ? Devices(Bob) : BobsDevices([.. Actors[2..(2 + run.CalleeDevices)]])) with
                {
                    Wakeable = step.Redirect % 3 == 0,
                    BusyDevices = bobs.Take(step.Redirect % 4 == 3 ? bobs.Count : step.Redirect % 4).ToHashSet(),
                    BusyPolicy = step.Redirect >= 5 ? BusyPolicy.Busy : BusyPolicy.CallWaiting,
                };
                return new EstablishCall(actor, flavor == 6 ? "not sdp" : offer, devices) { CustomParameters = flavor == 5 ? new Dictionary<string, string> { ["ticket"] = "t" + index } : null };
            case Op.Accept:
                return new AcceptCall(actor, flavor switch
                {
                    9 => "garbage",
                    < 4 => TestSdp.Answer(),
                    < 7 => TestSdp.Answer(video: "sendrecv"),
                    _ => TestSdp.Answer(video: "inactive"),
                });
            case Op.Reject:
                return new RejectCall(actor);
            case Op.Ignore:
                return new IgnoreCall(actor);
            case Op.Forward:
                return (flavor % 7) switch
                {
                    0 or 1 => ForwardTo(actor, Carol, CarolPhone, CarolLaptop),
                    2 => ForwardTo(actor, Grace, GracePhone),
                    3 => ForwardTo(actor, Alice, AlicePhone),
                    4 => ForwardTo(actor, Bob, BobPhone),
                    5 => Forward(actor, Dave, CalleeLookup.NotFound),
                    _ => Forward(actor, Frank, Devices(Frank) with { Wakeable = step.Redirect % 2 == 0 }),
                };
            case Op.DeviceConnected:
                return new DeviceConnected(actor);
            case Op.End:
                return new EndCall(Party(step, call))
                {
                    ReasonText = flavor switch { 9 => new string('x', 257), >= 5 => "bye " + index, _ => null },
                    CustomParameters = flavor == 6 ? new Dictionary<string, string> { ["survey"] = "s" + index } : null,
                };
            case Op.Dtmf:
                return new SendDtmf(Party(step, call), flavor switch { 9 => "12x", 8 => new string('1', 65), _ => "12#" + flavor });
            case Op.Parameters:
                return new SendCustomParameters(Party(step, call), flavor == 9
                    ? Enumerable.Range(0, 17).ToDictionary(i => "k" + i, _ => "v")
                    : new Dictionary<string, string> { ["k" + flavor] = "v" + index });
            case Op.Quality:
                return new ReportQuality(Party(step, call), flavor == 9 ? new QualitySample(-1, 0, 0, 4) : new QualitySample(20 * flavor, flavor, flavor / 3.0, 1 + (flavor * 0.4)));
            case Op.Hold:
                return Hold(HoldParty(step, call, held: false), opId, flavor == 9 ? TestSdp.Offer(audio: "sendrecv") : TestSdp.HoldOffer);
            case Op.Unhold:
                return Unhold(HoldParty(step, call, held: true), opId, flavor == 9 ? TestSdp.HoldOffer : TestSdp.UnholdOffer);
            case Op.VideoStart:
                return VideoStart(Party(step, call), opId, flavor == 9 ? TestSdp.AudioOffer : TestSdp.VideoOffer);
            case Op.VideoStop:
                return VideoStop(Party(step, call), opId, flavor == 9 ? TestSdp.VideoOffer : TestSdp.Offer(video: "inactive"));
            case Op.Answer:
            case Op.RejectRenegotiation:
                var pending = call.PendingOperation;
                var by = step.Redirect < 6 && pending is not null
                    ? Bound(call, pending.Initiator.Other()) ?? actor
                    : step.Redirect == 9 && pending is not null ? Bound(call, pending.Initiator) ?? actor : Party(step, call);
                var id = flavor < 8 ? pending?.OperationId ?? "op-none" : "op-" + (index - 1 - flavor);
                return step.Op == Op.Answer
                    ? new AnswerRenegotiation(by, id, flavor == 7 ? "v=0" : TestSdp.Answer(video: flavor % 2 == 0 ? "sendrecv" : "recvonly"))
                    : new RejectRenegotiation(by, id, flavor == 7 ? new string('r', 300) : "no");
            case Op.Mute:
            case Op.Unmute:
                return new SetMuted(Party(step, call), step.Op == Op.Mute);
            case Op.Ice:
                var candidate = flavor == 9
                    ? new IceCandidate("candidate:1 1 udp 1 10.0.0.1 9 typ host " + new string('x', 1100), "0", 0)
                    : Candidate(flavor);
                return new SendIceCandidate(Party(step, call), candidate);
            case Op.Resume:
                return new ResumeCall(actor);
            case Op.Disconnect:
                return new DeviceDisconnected(Party(step, call));
            case Op.RingTimer:
                return Timer(CallTimerKind.Ring, flavor, timers);
            case Op.OperationTimer:
                return Timer(CallTimerKind.Operation, flavor, timers);
            case Op.GraceTimer:
                return Timer(CallTimerKind.ReconnectGrace, flavor, timers);
            case Op.AnswerTimer:
                return Timer(CallTimerKind.AnswerCompletion, flavor, timers);
            case Op.FollowUp:
                return followUps.TryDequeue(out var followUp) ? followUp : new CompleteAnswer();
            case Op.Pull:
                // Any device, most often one of a party's account that does not hold the call; the offer keeps
                // that party's hold (flavor 8: it does not; 9: no SDP).
                var held = CallDecider.SideOf(call, actor.Account) is { } pullSide && call.Party(pullSide).Held;
                return new PullCall(actor, opId, flavor switch
                {
                    9 => "v=0",
                    8 => held ? TestSdp.AudioOffer : TestSdp.HoldOffer,
                    _ => held ? TestSdp.HoldOffer : TestSdp.AudioOffer,
                });
            case Op.Transfer:
                // To carol most of the time; now and then to the other party, the transferor, a stranger or no one.
                return new TransferCall(Party(step, call), "new-" + index, flavor switch
                {
                    9 => null,
                    8 => Eve,
                    7 => CallDecider.SideOf(call, actor.Account) is { } transferorSide ? call.Party(transferorSide.Other()).Account : Carol,
                    6 => actor.Account,
                    _ => Carol,
                });
            case Op.Consult:
                // This call as the transferee's or as the consultation call (flavor 9: neither).
                return new ConsultativeTransfer(
                    Party(step, call),
                    "new-" + index,
                    flavor % 2 == 0 ? call.CallId : "other-call",
                    flavor == 9 ? "third-call" : flavor % 2 == 0 ? "other-call" : call.CallId,
                    Dave);
            case Op.TransferProgress:
                // The current transfer's call most of the time; a stale one now and then.
                var transferCallId = flavor < 8 && call.Transfer is { } current ? current.NewCallId : "new-stale";
                return new TransferProgressed(transferCallId, (TransferProgress)(flavor % 4), flavor % 3 == 0 ? EndReason.Rejected : null);
            case Op.TransferTimer:
                return Timer(CallTimerKind.Transfer, flavor, timers);
            default:
                return new MarkAlerted(call.RingGeneration - (flavor % 2));
        }
    }

    /// <summary>The actor, or (most of the time) its party's bound device when it is a party.</summary>
    private static Requester Party(Step step, Call call)
    {
        var actor = Actors[step.Actor];
        if (step.Redirect >= 6)
        {
            return actor;
        }

        var side = CallDecider.SideOf(call, actor.Account);
        return side is { } s && call.Party(s).Account == actor.Account ? Bound(call, s) ?? actor : actor;
    }

    /// <summary>
    /// For hold and unhold: most of the time the bound device of a side whose hold flag is
    /// <paramref name="held"/> (the actor's side first), so that runs reach double hold and back.
    /// </summary>
    private static Requester HoldParty(Step step, Call call, bool held)
    {
        var party = Party(step, call);
        if (step.Redirect >= 6 || !call.IsConnected)
        {
            return party;
        }

        var side = CallDecider.SideOf(call, party.Account) ?? CallSide.Caller;
        var chosen = call.Party(side).Held == held ? side : side.Other();
        return Bound(call, chosen) ?? party;
    }

    private static Requester? Bound(Call call, CallSide side) =>
        call.Party(side).DeviceId is { } device ? new Requester(call.Party(side).Account, device) : null;

    /// <summary>The latest timer of that kind (even flavor) or an older one (odd flavor); a made-up token when none was asked for.</summary>
    private static TimerElapsed Timer(CallTimerKind kind, int flavor, List<TimerRequest> timers)
    {
        var ofKind = timers.Where(t => t.Kind == kind).ToList();
        if (ofKind.Count == 0)
        {
            return new TimerElapsed(kind, flavor % 2 == 0 ? "0" : "Caller:0");
        }

        var timer = flavor % 2 == 0 ? ofKind[^1] : ofKind[flavor % ofKind.Count];
        return new TimerElapsed(kind, timer.Token);
    }

    private static List<(string Device, CallSnapshot View)> Views(Call call) =>
        [
            ("caller:" + call.Caller.DeviceId, CallProjection.View(call, CallViewer.CallerOf(call))),
            ("callee:party", CallProjection.View(call, CallViewer.PartyOf(call, CallSide.Callee))),
            .. call.Devices.Select(d => ("callee:" + d.DeviceId, CallProjection.View(call, CallViewer.CalleeDevice(d.DeviceId)))),
        ];

    private static readonly CallState[] InCallStates = [CallState.InCall, CallState.OnHold, CallState.RemotelyHeld, CallState.OnDoubleHold];

    private static CallState HoldState(bool local, bool remote) => (local, remote) switch
    {
        (true, true) => CallState.OnDoubleHold,
        (true, false) => CallState.OnHold,
        (false, true) => CallState.RemotelyHeld,
        _ => CallState.InCall,
    };

    private static void CheckStep(Call before, List<(string Device, CallSnapshot View)> viewsBefore, Decision decision, DateTimeOffset now)
    {
        if (decision.IsRefused)
        {
            // A refusal returns no call and changes nothing: the call held is the one from before.
            Assert.Null(decision.Call);
            Assert.False(decision.Changed);
            Assert.Empty(decision.Notifications);
            Assert.Empty(decision.Timers);
            Assert.Empty(decision.FollowUps);
            Assert.Equal(viewsBefore, Views(before));
            return;
        }

        var after = decision.Call;
        Assert.NotNull(after);
        Assert.Equal(before.CallId, after.CallId);

        // Version (the snapshot's sequence) grows by one on every change and stays on no change.
        if (decision.Changed)
        {
            Assert.Equal(before.Version + 1, after.Version);
        }
        else
        {
            Assert.Equal(before.Version, after.Version);
            Assert.Equal(before, after);
            Assert.Empty(decision.Timers);
            Assert.Empty(decision.FollowUps);
        }

        // Ended is final.
        if (before.Phase == CallPhase.Ended)
        {
            Assert.False(decision.Changed, "an ended call changed");
            Assert.Empty(decision.Notifications);
        }

        // Push wake-up: an account is woken only while the call rings it; whatever stops that ringing
        // tells it exactly once, in the same decision; nothing else wakes or stops anyone.
        if (after.WokenAccount is { } woken)
        {
            Assert.True(after.IsRinging, "a woken account of a call that does not ring");
            Assert.Equal(after.Callee.Account, woken);
            Assert.NotNull(after.WokenAt);
        }

        var stops = decision.Wakes.OfType<StopWaking>().ToList();
        var wakes = decision.Wakes.OfType<WakeAccount>().ToList();
        var missedCalls = decision.Wakes.OfType<MissedCall>().ToList();
        if (before.WokenAccount is { } wasWoken && after.WokenAccount != wasWoken)
        {
            var stop = Assert.Single(stops);
            Assert.Equal(wasWoken, stop.Account);

            // A missed call: the woken account's call ended, neither rejected there nor forwarded (nor answered).
            if (after.Phase == CallPhase.Ended && stop.Reason is not ("Rejected" or "Forwarded" or "AnsweredElsewhere"))
            {
                Assert.Equal(new MissedCall(wasWoken, stop.Reason), Assert.Single(missedCalls));
            }
            else
            {
                Assert.Empty(missedCalls);
            }
        }
        else
        {
            Assert.Empty(stops);
            Assert.Empty(missedCalls);
        }

        if (after.WokenAccount is { } nowWoken && (before.WokenAccount != nowWoken || before.RingGeneration != after.RingGeneration))
        {
            Assert.Equal(nowWoken, Assert.Single(wakes).Account);
        }
        else
        {
            Assert.Empty(wakes);
        }

        // Webhook lifecycle events: none without a change; ended exactly when the call ends, answered
        // exactly when it is answered; and an ended call has a record whose times are in order.
        var lifecycle = CallServer.Domain.Records.CallLifecycle.Between(before, after, now).Select(e => e.Type).ToList();
        if (!decision.Changed)
        {
            Assert.Empty(lifecycle);
        }

        Assert.Equal(after.Phase == CallPhase.Ended && before.Phase != CallPhase.Ended, lifecycle.Contains(CallServer.Domain.Records.CallEventTypes.Ended));
        Assert.Equal(after.AnsweredAt is not null && before.AnsweredAt is null, lifecycle.Contains(CallServer.Domain.Records.CallEventTypes.Answered));
        Assert.Equal(lifecycle.Count, lifecycle.Distinct().Count());
        if (after.Phase == CallPhase.Ended)
        {
            var record = CallServer.Domain.Records.CallRecord.Of(after);
            Assert.True(record.CreatedAt <= record.EndedAt);
            Assert.True(record.InCallDuration >= TimeSpan.Zero && record.TimeOnHold >= TimeSpan.Zero);
            Assert.True(record.TimeOnHold <= record.InCallDuration, $"on hold {record.TimeOnHold} of {record.InCallDuration} in call");
            Assert.Null(after.HeldSince);
        }

        var views = Views(after);
        Assert.All(views, v => Assert.Equal(after.Version, v.View.Sequence));

        if (after.Phase == CallPhase.Ended)
        {
            Assert.All(views, v =>
            {
                Assert.Equal(CallState.Ended, v.View.State);
                Assert.NotNull(v.View.EndReason);
                Assert.NotNull(v.View.StatusCode);
                Assert.NotNull(v.View.EndedAt);
            });
            Assert.Null(after.PendingOperation);
        }

        // At most one callee device is bound, and the bound one is never ended locally.
        if (after.Callee.DeviceId is { } bound)
        {
            var entry = Assert.Single(after.Devices, d => d.DeviceId == bound);
            Assert.Null(entry.LocalEnd);
            Assert.Equal(after.Callee.Account, entry.Account);
            Assert.All(after.Devices.Where(d => d.DeviceId != bound), d => Assert.NotNull(d.LocalEnd));
        }
        else
        {
            Assert.True(after.Phase is CallPhase.Initial or CallPhase.Dialing or CallPhase.Ringing or CallPhase.Ended, $"no callee device bound in {after.Phase}");
        }

        Assert.Equal(after.Devices.Count, after.Devices.Select(d => d.DeviceId).Distinct().Count());
        Assert.True(views.Count(v => v.Device.StartsWith("callee:", StringComparison.Ordinal) && v.Device != "callee:party" && (InCallStates.Contains(v.View.State) || v.View.State == CallState.Answering)) <= 1);
        Assert.DoesNotContain(after.Devices, d => d.Account == Eve);

        // The hold flags match what each side sees.
        var callerView = views[0].View;
        if (after.Phase == CallPhase.Connected)
        {
            var calleeView = CallProjection.View(after, CallViewer.PartyOf(after, CallSide.Callee));
            Assert.Equal(HoldState(after.Caller.Held, after.Callee.Held), callerView.State);
            Assert.Equal(HoldState(after.Callee.Held, after.Caller.Held), calleeView.State);
            Assert.Equal((after.Caller.Held, after.Callee.Held), (callerView.LocalHold, callerView.RemoteHold));
            Assert.Equal((after.Callee.Held, after.Caller.Held), (calleeView.LocalHold, calleeView.RemoteHold));
        }
        else
        {
            Assert.All(views, v =>
            {
                Assert.DoesNotContain(v.View.State, InCallStates);
                Assert.False(v.View.LocalHold || v.View.RemoteHold);
            });
            Assert.Null(after.PendingOperation);
        }

        // Every notification goes to a device of the call (or the device of a party's account pulling it);
        // no one else is ever told anything.
        var pulling = before.PendingOperation is { PullingDevice: { } pullingDevice } pull ? (pull.Initiator, pullingDevice) : ((CallSide, string)?)null;
        var callerDevices = new[] { before.Caller.DeviceId, after.Caller.DeviceId, pulling?.Item1 == CallSide.Caller ? pulling?.Item2 : null };
        var calleeDevices = before.Devices.Concat(after.Devices).Select(d => d.DeviceId).ToHashSet();
        if (pulling?.Item1 == CallSide.Callee)
        {
            calleeDevices.Add(pulling.Value.Item2);
        }

        // A device the call was pulled away from sees it ended there, and nothing else; the bound device never.
        foreach (var moved in after.MovedFrom.Where(m => m.DeviceId != after.Party(m.Side).DeviceId))
        {
            var view = CallProjection.View(after, new CallViewer(moved.Side, moved.DeviceId));
            Assert.Equal((CallState.Ended, EndReason.MovedToAnotherDevice), (view.State, view.EndReason));
        }
        foreach (var notification in decision.Notifications)
        {
            var to = notification.To;
            Assert.NotNull(to.DeviceId);
            Assert.NotEqual(EvePhone.DeviceId, to.DeviceId);
            if (to.Side == CallSide.Caller)
            {
                Assert.Contains(to.DeviceId, callerDevices);
            }
            else
            {
                Assert.Contains(to.DeviceId, calleeDevices);
            }

            if (notification is IncomingCallNotification incoming)
            {
                Assert.Equal(after.Offer, incoming.SdpOffer);
                Assert.Contains(after.RingingDevices, d => d.DeviceId == to.DeviceId);
            }
        }

        Assert.All(decision.Timers, t => Assert.True(t.DueAt > now, $"{t} is not in the future"));
        CheckTransfer(before, after, decision, now);
    }

    /// <summary>
    /// Rules 22–27: under Busy no device in another call is rung, and a rung one is flagged waiting exactly when it is in
    /// another call; a call ends Busy only when nothing could ring; DTMF is relayed only InCall, to the other party's bound
    /// device, saving nothing; parameters go to the other side only and stay within their bounds; a side's quality stays
    /// bounded whatever the call's length; an end reason text is at most 256 characters.
    /// </summary>
    private static void CheckDuringCall(Call before, CallCommand command, Decision decision)
    {
        var after = decision.Call ?? before;
        var lookup = command switch
        {
            EstablishCall establish => establish.Callee,
            ForwardCall forward => forward.TargetLookup,
            _ => null,
        };
        // (An IncomingCall sent again to a device that resumes or reconnects keeps the flag it rang with.)
        foreach (var incoming in lookup is null ? [] : decision.Notifications.OfType<IncomingCallNotification>())
        {
            var inCall = lookup!.BusyDevices.Contains(incoming.To.DeviceId!);
            Assert.False(inCall && lookup.BusyPolicy == BusyPolicy.Busy, $"{incoming.To.DeviceId} is in another call and rang under Busy");
            Assert.Equal(inCall, after.Device(incoming.To.DeviceId!)!.Waiting);
        }

        if (before.Phase != CallPhase.Ended && after.Caller.End?.Reason == EndReason.Busy)
        {
            var establish = Assert.IsType<EstablishCall>(command);
            Assert.Equal(BusyPolicy.Busy, establish.Callee.BusyPolicy);
            Assert.False(establish.Callee.Wakeable);
            Assert.All(establish.Callee.Devices, d => Assert.Contains(d, establish.Callee.BusyDevices));
            Assert.Equal((EndReason.Busy, CallStatusCodes.BusyHere), (after.Callee.End!.Reason, after.Callee.End.StatusCode));
        }

        var dtmf = decision.Notifications.OfType<DtmfReceivedNotification>().ToList();
        if (dtmf.Count > 0)
        {
            var sent = Assert.IsType<SendDtmf>(command);
            Assert.False(decision.Changed);
            Assert.True(before.Phase == CallPhase.Connected && !before.Caller.Held && !before.Callee.Held, "DTMF outside InCall");
            var from = CallDecider.SideOf(before, sent.Requester.Account)!.Value;
            Assert.Equal(before.Party(from.Other()).DeviceId, Assert.Single(dtmf).To.DeviceId);
        }

        foreach (var received in decision.Notifications.OfType<CustomParametersReceivedNotification>())
        {
            var from = CallDecider.SideOf(before, ((PartyCommand)command).Requester.Account);
            Assert.Equal(from?.Other(), received.To.Side);
        }

        foreach (var party in new[] { after.Caller, after.Callee })
        {
            Assert.InRange(party.CustomParameters.Count, 0, CustomParameters.MaxEntries);
            Assert.InRange(party.Quality?.Recent.Count ?? 0, 0, 10);
        }

        if (command is ReportQuality && !decision.IsRefused)
        {
            Assert.Equal(CallPhase.Connected, before.Phase);
            Assert.Empty(decision.Notifications);
        }

        Assert.InRange(after.EndReasonText?.Length ?? 0, 0, CallDecider.MaxEndReasonTextLength);
    }

    /// <summary>
    /// Rule 21: one thing at a time (a transfer and a pending operation never together); a transfer holds the
    /// transferor's side; a call ends Transferred on both sides or neither, only through its transfer, and
    /// says so once (<c>call.transferred</c>); the transfer's events go to the two bound devices only.
    /// </summary>
    private static void CheckTransfer(Call before, Call after, Decision decision, DateTimeOffset now)
    {
        if (after.Phase != CallPhase.Ended && after.Transfer is { } transfer)
        {
            Assert.Null(after.PendingOperation);
            Assert.True(after.IsConnected, $"a transfer in {after.Phase}");
            Assert.True(after.Party(transfer.TransferorSide).Held, "a transfer while the transferor does not hold the call");
        }

        var transferred = after.Caller.End?.Reason == EndReason.Transferred;
        Assert.Equal(transferred, after.Callee.End?.Reason == EndReason.Transferred);
        if (transferred && before.Phase != CallPhase.Ended)
        {
            Assert.NotNull(before.Transfer);
            Assert.Equal(before.Transfer.NewCallId, CallServer.Domain.Records.CallRecord.Of(after).TransferredTo?.CallId);
        }

        var lifecycle = CallServer.Domain.Records.CallLifecycle.Between(before, after, now).Select(e => e.Type).ToList();
        Assert.Equal(transferred && before.Phase != CallPhase.Ended, lifecycle.Contains(CallServer.Domain.Records.CallEventTypes.Transferred));

        var current = before.Transfer ?? after.Transfer;
        foreach (var notification in decision.Notifications)
        {
            switch (notification)
            {
                case TransferProgressNotification progress:
                    Assert.NotNull(current);
                    Assert.Equal(before.Party(current.TransferorSide).DeviceId, progress.To.DeviceId);
                    break;
                case TransferRequestedNotification or TransferConnectedNotification:
                    Assert.NotNull(after.Transfer);
                    Assert.Equal(before.Party(after.Transfer.TransferorSide.Other()).DeviceId, notification.To.DeviceId);
                    break;
            }
        }
    }
}
