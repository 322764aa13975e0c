using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using FsCheck;
using FsCheck.Fluent;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>
/// Rule 23 over random situations: <c>HoldAndAccept</c> / <c>EndAndAccept</c> are all or nothing. Either both calls
/// change, exactly as the accept and the hold or end would each have changed them alone, or neither does.
/// </summary>
public sealed class CallSwitchProperties
{
    public enum Current
    {
        InCall,
        BobHolds,
        AliceHolds,
        Ringing,
        Ended,
    }

    public enum Waiting
    {
        RingsBoth,
        RejectedOnThePhone,
        AnsweredOnTheLaptop,
        CanceledByCarol,
        SameCall,
    }

    public sealed record Situation(Current Current, Waiting Waiting, int Requester, SwitchKind Kind, int Answer, int Offer, int Parameters, int Text);

    private static readonly Requester[] Requesters = [BobPhone, BobLaptop, EvePhone, AlicePhone];

    private static readonly Gen<Situation> Situations =
        from current in Gen.Elements(Enum.GetValues<Current>())
        from waiting in Gen.Frequency((6, Gen.Constant(Waiting.RingsBoth)), (1, Gen.Constant(Waiting.RejectedOnThePhone)), (1, Gen.Constant(Waiting.AnsweredOnTheLaptop)), (1, Gen.Constant(Waiting.CanceledByCarol)), (1, Gen.Constant(Waiting.SameCall)))
        from requester in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)), (1, Gen.Constant(3)))
        from kind in Gen.Elements(SwitchKind.HoldAndAccept, SwitchKind.EndAndAccept)
        from answer in Gen.Choose(0, 5)
        from offer in Gen.Choose(0, 5)
        from parameters in Gen.Choose(0, 5)
        from text in Gen.Choose(0, 5)
        select new Situation(current, waiting, requester, kind, answer, offer, parameters, text);

    [Fact]
    public void A_switch_changes_both_calls_as_each_command_alone_would_or_neither()
    {
        var seen = new HashSet<string>();
        var property = Prop.ForAll(Arb.From(Situations), situation => { seen.Add(Verify(situation)); });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), property);

        // Guards the property: both outcomes were reached, for both kinds.
        Assert.Superset(new HashSet<string> { "HoldAndAccept:allowed", "EndAndAccept:allowed", "HoldAndAccept:refused", "EndAndAccept:refused" }, seen);
    }

    private static string Verify(Situation situation)
    {
        var current = CurrentCall(situation.Current);
        var waiting = situation.Waiting == Waiting.SameCall ? current : WaitingCall(situation.Waiting);
        var by = Requesters[situation.Requester];
        var command = new SwitchCalls(
            by,
            situation.Kind,
            situation.Answer == 0 ? "v=0" : TestSdp.Answer(),
            "op-switch",
            situation.Offer == 0 ? TestSdp.AudioOffer : TestSdp.HoldOffer)
        {
            CustomParameters = situation.Parameters == 0 ? Enumerable.Range(0, 17).ToDictionary(i => "k" + i, _ => "v") : new Dictionary<string, string> { ["p"] = "1" },
            ReasonText = situation.Text == 0 ? new string('x', 257) : "switching",
        };

        var decision = CallDecider.Switch(waiting, current, command, Settings, T0);

        var alone = (Accept: CallDecider.Decide(waiting, command.Accept, Settings, T0), Other: CallDecider.Decide(current, command.Other, Settings, T0));
        var allowedAlone = !alone.Accept.IsRefused && !alone.Other.IsRefused && waiting.CallId != current.CallId
            && current.Party(CallSide.Callee).DeviceId == by.DeviceId && by.Account == Bob;
        Assert.Equal(allowedAlone, !decision.IsRefused);
        if (decision.IsRefused)
        {
            Assert.NotNull(decision.Error);
            Assert.All(new[] { decision.Accept, decision.Other }, part =>
            {
                Assert.Null(part.Call);
                Assert.Empty(part.Notifications);
                Assert.Empty(part.Timers);
                Assert.Empty(part.FollowUps);
            });
            return situation.Kind + ":refused";
        }

        Assert.Equivalent(alone.Accept.Call, decision.Accept.Call, strict: true);
        Assert.Equivalent(alone.Other.Call, decision.Other.Call, strict: true);
        Assert.Equal(alone.Accept.Notifications.Select(Describe), decision.Accept.Notifications.Select(Describe));
        Assert.Equal(alone.Other.Notifications.Select(Describe), decision.Other.Notifications.Select(Describe));
        Assert.Equal(waiting.Version + 1, decision.Accept.Call!.Version);
        Assert.Equal(current.Version + 1, decision.Other.Call!.Version);
        Assert.Equal(by.DeviceId, decision.Accept.Call.Callee.DeviceId);
        if (situation.Kind == SwitchKind.HoldAndAccept)
        {
            Assert.Equal(MediaOperation.HoldCall, decision.Other.Call.PendingOperation?.Operation);
        }
        else
        {
            Assert.Equal(CallPhase.Ended, decision.Other.Call.Phase);
        }

        return situation.Kind + ":allowed";
    }

    /// <summary>alice → bob, answered on bob-phone (call-1), in the given state.</summary>
    private static Call CurrentCall(Current state) => state switch
    {
        Current.InCall => InCall().Call,
        Current.BobHolds => InCall().Then(Hold(BobPhone)).Then(new AnswerRenegotiation(AlicePhone, "op-hold", TestSdp.Answer(audio: "recvonly"))).Call,
        Current.AliceHolds => InCall().Then(Hold(AlicePhone)).Then(new AnswerRenegotiation(BobPhone, "op-hold", TestSdp.Answer(audio: "recvonly"))).Call,
        Current.Ringing => Ringing().Call,
        _ => InCall().Then(new EndCall(AlicePhone)).Call,
    };

    /// <summary>carol → bob (call-2), ringing bob-phone (waiting) and bob-laptop, then as given.</summary>
    private static Call WaitingCall(Waiting state)
    {
        var created = CallDecider.Create(new CreateCall("call-2", CarolPhone, RegisteredCaller, Bob, BobsDevices()), T0).Call!;
        var lookup = BobsDevices() with { BusyDevices = new HashSet<string> { BobPhone.DeviceId! } };
        var s = Of(created).Then(new EstablishCall(CarolPhone, TestSdp.AudioOffer, lookup));
        return state switch
        {
            Waiting.RejectedOnThePhone => s.Then(new RejectCall(BobPhone)).Call,
            Waiting.AnsweredOnTheLaptop => s.Then(new AcceptCall(BobLaptop, TestSdp.Answer())).Call,
            Waiting.CanceledByCarol => s.Then(new EndCall(CarolPhone)).Call,
            _ => s.Call,
        };
    }
}
