using System.Globalization;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>ForwardCall (rule 5).</summary>
public sealed class CallDeciderForwardTests
{
    [Fact]
    public void Forward_rings_the_target_with_the_original_offer_and_ends_the_forwarding_devices()
    {
        var s = Ringing(TestSdp.VideoOffer);
        var before = s.Call;
        s.Advance(TimeSpan.FromSeconds(10));
        var forwarded = s.Do(ForwardTo(BobLaptop, Carol, CarolPhone, CarolLaptop), followUps: false);

        s.AssertState(BobPhone, CallState.Ended, EndReason.Forwarded, CallStatusCodes.CallForwarded);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.Forwarded, CallStatusCodes.CallForwarded);
        s.AssertState(CarolPhone, CallState.Ringing);
        s.AssertState(CarolLaptop, CallState.Ringing);
        s.AssertState(AlicePhone, CallState.Ringing);
        Assert.Equal("carol@example.com", s.CallerView.RemoteAddress);
        Assert.Equal("alice@example.com", s.View(CarolPhone).RemoteAddress);
        Assert.Equal("carol@example.com", s.View(CarolPhone).LocalAddress);
        Assert.Equal([Bob, Carol], s.Call.ForwardChain);

        AssertNotified(
            forwarded,
            "CallStatusChanged->bob-phone",
            "CallStatusChanged->bob-laptop",
            "CallStatusChanged->alice-phone",
            "IncomingCall->carol-phone",
            "IncomingCall->carol-laptop");
        Assert.All(forwarded.Notifications.OfType<IncomingCallNotification>(), n => Assert.Equal(TestSdp.VideoOffer, n.SdpOffer));

        // The ring timer starts again for the target.
        var timer = Assert.Single(forwarded.Timers);
        Assert.Equal(CallTimerKind.Ring, timer.Kind);
        Assert.Equal(s.Now + Settings.RingTimeout, timer.DueAt);
        Assert.Equal(before.RingGeneration + 1, s.Call.RingGeneration);
        Assert.Equal(timer.Token, s.Call.RingGeneration.ToString(CultureInfo.InvariantCulture));
        foreach (var followUp in forwarded.FollowUps)
        {
            s.Do(followUp);
        }

        s.AssertState(AlicePhone, CallState.Ringing);

        // The old ring timer is stale now; the new one ends the call.
        s.Unchanged(new TimerElapsed(CallTimerKind.Ring, before.RingGeneration.ToString(CultureInfo.InvariantCulture)));
        s.AssertState(CarolPhone, CallState.Ringing);
        s.Do(new TimerElapsed(CallTimerKind.Ring, timer.Token));
        s.AssertState(AlicePhone, CallState.Ended, EndReason.NoAnswer, 487);
        s.AssertState(CarolPhone, CallState.Ended, EndReason.NoAnswer, 487);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Forwarded, 9908);
    }

    [Fact]
    public void A_forwarding_device_does_not_see_what_happens_to_the_call_after_it_left()
    {
        var s = Ringing();
        s.Do(ForwardTo(BobPhone, Carol, CarolPhone, CarolLaptop));
        var atForward = s.View(BobPhone);
        s.Advance(TimeSpan.FromSeconds(3));
        s.Do(new AcceptCall(CarolLaptop, TestSdp.Answer()));
        s.Do(new SetMuted(CarolLaptop, true));
        s.Do(new SetMuted(AlicePhone, true));

        var later = s.View(BobPhone);
        Assert.Equal(CallState.Ended, later.State);
        Assert.Equal(EndReason.Forwarded, later.EndReason);
        Assert.Null(later.AnsweredAt);
        Assert.False(later.Media.LocalMuted);
        Assert.False(later.Media.RemoteMuted);
        Assert.Equal(atForward.EndedAt, later.EndedAt);
        Assert.Equal("bob@example.com", later.LocalAddress);
        Assert.True(s.View(CarolLaptop).Media.LocalMuted); // the target sees its own call as it is
    }

    [Fact]
    public void The_target_answers_a_forwarded_call()
    {
        var s = Ringing();
        s.Do(ForwardTo(BobPhone, Carol, CarolPhone, CarolLaptop));
        var accepted = s.Do(new AcceptCall(CarolLaptop, TestSdp.Answer()));

        AssertNotified(
            accepted,
            "CallStatusChanged->carol-laptop",
            "CallStatusChanged->carol-phone",
            "RemoteDescription->alice-phone");
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(CarolLaptop, CallState.InCall);
        s.AssertState(CarolPhone, CallState.Ended, EndReason.AnsweredElsewhere, 9904);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Forwarded, 9908);
        Assert.Equal("carol@example.com", s.CallerView.RemoteAddress);

        // Bob's devices have no part in the call any more.
        s.Refuse(new EndCall(BobPhone), ErrorCode.InvalidState);
        s.Refuse(new ResumeCall(new Requester(Bob, "bob-new")), ErrorCode.InvalidState);
        s.Refuse(Hold(BobPhone), ErrorCode.InvalidState);

        // Carol ends it: an ordinary end.
        s.Do(new EndCall(CarolLaptop));
        s.AssertState(AlicePhone, CallState.Ended, EndReason.EndedRemotely, 9905);
        s.AssertState(CarolLaptop, CallState.Ended, EndReason.EndedLocally, 9901);
    }

    [Fact]
    public void An_ignored_device_stays_Ignored_when_the_call_is_forwarded()
    {
        var s = Ringing();
        s.Do(new IgnoreCall(BobPhone));
        var forwarded = s.Do(ForwardTo(BobLaptop, Carol, CarolPhone));
        s.AssertState(BobPhone, CallState.Ended, EndReason.Ignored, 9903);
        s.AssertState(BobLaptop, CallState.Ended, EndReason.Forwarded, 9908);
        Assert.DoesNotContain("CallStatusChanged->bob-phone", forwarded.Notifications.Select(Describe));
    }

    [Fact]
    public void The_caller_canceling_a_forwarded_call_cancels_it_on_the_targets_devices()
    {
        var s = Ringing();
        s.Do(ForwardTo(BobPhone, Carol, CarolPhone));
        var canceled = s.Do(new EndCall(AlicePhone));
        AssertNotified(canceled, "CallStatusChanged->alice-phone", "CallStatusChanged->carol-phone");
        s.AssertState(CarolPhone, CallState.Ended, EndReason.Canceled, 487);
        s.AssertState(BobPhone, CallState.Ended, EndReason.Forwarded, 9908);
    }

    [Fact]
    public void Forward_is_allowed_for_five_hops_and_the_sixth_is_a_ForwardLoop()
    {
        var s = Ringing();
        var hops = new[] { "carol", "dave", "frank", "grace", "heidi" };
        var from = BobPhone;
        foreach (var name in hops)
        {
            var target = Addr(name);
            var device = new Requester(target, name + "-phone");
            s.Do(ForwardTo(from, target, device));
            s.AssertState(device, CallState.Ringing);
            Assert.Equal(target.Value, s.CallerView.RemoteAddress);
            from = device;
        }

        Assert.Equal(6, s.Call.ForwardChain.Count);
        var ivan = Addr("ivan");
        s.Refuse(ForwardTo(from, ivan, new Requester(ivan, "ivan-phone")), ErrorCode.ForwardLoop);
        s.AssertState(from, CallState.Ringing);
        s.AssertState(AlicePhone, CallState.Ringing);
    }

    [Fact]
    public void The_hop_limit_comes_from_the_settings()
    {
        var s = Ringing();
        var one = Settings with { MaxForwardHops = 1 };
        var first = CallServer.Domain.Decisions.CallDecider.Decide(s.Call, ForwardTo(BobPhone, Carol, CarolPhone), one, s.Now);
        Assert.Null(first.Error);
        var second = CallServer.Domain.Decisions.CallDecider.Decide(first.Call!, ForwardTo(CarolPhone, Dave, new Requester(Dave, "dave-phone")), one, s.Now);
        Assert.Equal(ErrorCode.ForwardLoop, second.Error?.Code);
    }

    public static TheoryData<string> ForwardRefusals => new(ForwardCases.Keys);

    private static CallScenario ForwardedToCarol() => Ringing().Then(ForwardTo(BobPhone, Carol, CarolPhone));

    private static CallScenario BobIgnored() => Ringing().Then(new IgnoreCall(BobPhone));

    private static readonly Dictionary<string, (Func<CallScenario> Setup, CallCommand Command, ErrorCode Code)> ForwardCases = new()
    {
        ["back to the caller"] = (() => Ringing(), ForwardTo(BobPhone, Alice, AlicePhone), ErrorCode.ForwardLoop),
        ["to the callee itself"] = (() => Ringing(), ForwardTo(BobPhone, Bob, BobTablet), ErrorCode.ForwardLoop),
        ["back along the chain"] = (ForwardedToCarol, ForwardTo(CarolPhone, Bob, BobPhone), ErrorCode.ForwardLoop),
        ["from the target to the caller"] = (ForwardedToCarol, ForwardTo(CarolPhone, Alice, AliceLaptop), ErrorCode.ForwardLoop),
        ["to an unknown user"] = (() => Ringing(), Forward(BobPhone, Dave, CalleeLookup.NotFound), ErrorCode.CalleeNotFound),
        ["to a user without devices"] = (() => Ringing(), Forward(BobPhone, Carol, Devices(Carol)), ErrorCode.CalleeUnavailable),
        ["to a telephone number"] = (() => Ringing(), Forward(BobPhone, Phone, Devices(Gateway, GatewayTrunk)), ErrorCode.InvalidAddress),
        ["to an anonymous address"] = (() => Ringing(), Forward(BobPhone, Anonymous, Devices(Anonymous, AnonymousBrowser)), ErrorCode.InvalidAddress),
        ["to something that did not parse"] = (() => Ringing(), Forward(BobPhone, null, CalleeLookup.NotFound), ErrorCode.InvalidAddress),
        ["by the caller"] = (() => Ringing(), ForwardTo(AlicePhone, Carol, CarolPhone), ErrorCode.Forbidden),
        ["by a stranger"] = (() => Ringing(), ForwardTo(EvePhone, Carol, CarolPhone), ErrorCode.CallNotFound),
        ["by the target before it was offered the call"] = (() => Ringing(), ForwardTo(CarolPhone, Dave, new Requester(Dave, "dave-phone")), ErrorCode.CallNotFound),
        ["by a device that already forwarded"] = (ForwardedToCarol, ForwardTo(BobLaptop, Dave, new Requester(Dave, "dave-phone")), ErrorCode.InvalidState),
        ["by a device that ignored"] = (BobIgnored, ForwardTo(BobPhone, Carol, CarolPhone), ErrorCode.InvalidState),
        ["in call"] = (() => InCall(), ForwardTo(BobPhone, Carol, CarolPhone), ErrorCode.InvalidState),
        ["before establish"] = (() => Created(), ForwardTo(BobPhone, Carol, CarolPhone), ErrorCode.CallNotFound),
    };

    [Theory]
    [MemberData(nameof(ForwardRefusals))]
    public void A_failed_forward_leaves_the_call_ringing_where_it_was(string name)
    {
        var (setup, command, code) = ForwardCases[name];
        var s = setup();
        var ringingBefore = s.Call.RingingDevices.Select(d => d.DeviceId).ToList();
        s.Refuse(command, code);
        Assert.Equal(ringingBefore, s.Call.RingingDevices.Select(d => d.DeviceId));
    }

    [Fact]
    public void After_a_refused_forward_the_callee_can_still_answer()
    {
        var s = Ringing();
        s.Refuse(Forward(BobPhone, Carol, Devices(Carol)), ErrorCode.CalleeUnavailable);
        s.AssertState(BobPhone, CallState.Ringing);
        s.AssertState(AlicePhone, CallState.Ringing);
        Assert.Equal("bob@example.com", s.CallerView.RemoteAddress);
        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()));
        s.AssertState(AlicePhone, CallState.InCall);
    }

    [Fact]
    public void Forwarding_a_telephone_call_from_the_gateway_keeps_the_chain_guard()
    {
        var s = Created(Phone, Devices(Gateway, GatewayTrunk));
        s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, Devices(Gateway, GatewayTrunk)));
        s.Do(ForwardTo(GatewayTrunk, Carol, CarolPhone));
        Assert.Equal([Gateway, Carol], s.Call.ForwardChain);
        s.Refuse(ForwardTo(CarolPhone, Gateway, GatewayTrunk), ErrorCode.ForwardLoop);
        Assert.Equal(AddressKind.User, s.Call.Callee.Address.Kind);
    }
}
