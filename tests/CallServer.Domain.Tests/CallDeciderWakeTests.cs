using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>Push wake-up: rule 6 with push registrations, devices that connect while ringing, and the end of waking.</summary>
public sealed class CallDeciderWakeTests
{
    private static CalleeLookup WakeableBob(params Requester[] devices) => Devices(Bob, devices) with { Wakeable = true };

    private static CallScenario RingingByPush(params Requester[] devices)
    {
        var s = Created();
        s.Do(new EstablishCall(AlicePhone, TestSdp.VideoOffer, WakeableBob(devices)));
        return s;
    }

    [Fact]
    public void A_callee_with_no_device_but_a_push_registration_rings_and_its_account_is_woken_until_the_ring_timeout()
    {
        var s = Created();
        var established = s.Do(new EstablishCall(AlicePhone, TestSdp.VideoOffer, WakeableBob()));

        s.AssertState(AlicePhone, CallState.Ringing);
        Assert.Equal(CallPhase.Ringing, s.Call.Phase);
        Assert.Empty(s.Call.Devices);
        Assert.Equal(Bob, s.Call.WokenAccount);
        Assert.Equal(s.Now, s.Call.WokenAt);
        var wake = Assert.IsType<WakeAccount>(Assert.Single(established.Wakes));
        Assert.Equal(Bob, wake.Account);
        Assert.Equal(s.Now + Settings.RingTimeout, wake.RingsUntil);
        Assert.Equal(Assert.Single(established.Timers).DueAt, wake.RingsUntil);
    }

    [Fact]
    public void A_callee_with_neither_device_nor_registration_is_still_Unavailable_and_no_one_is_woken()
    {
        var s = Created();
        var established = s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, Devices(Bob)));
        s.AssertState(AlicePhone, CallState.Ended, EndReason.Unavailable, CallStatusCodes.Unavailable);
        Assert.Empty(established.Wakes);
        Assert.Null(s.Call.WokenAccount);
    }

    [Fact]
    public void Connected_devices_ring_and_the_registrations_are_woken_as_well()
    {
        var s = Created();
        var established = s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, WakeableBob(BobLaptop)));
        AssertNotified(established, "CallStatusChanged->alice-phone", "IncomingCall->bob-laptop");
        Assert.IsType<WakeAccount>(Assert.Single(established.Wakes));
    }

    [Fact]
    public void A_device_of_the_callee_that_connects_while_the_call_rings_gets_IncomingCall_with_the_offer_and_can_accept()
    {
        var s = RingingByPush();
        s.Advance(TimeSpan.FromSeconds(3));
        var connected = s.Do(new DeviceConnected(BobPhone));

        var incoming = Single<IncomingCallNotification>(connected);
        Assert.Equal(TestSdp.VideoOffer, incoming.SdpOffer);
        AssertNotified(connected, "IncomingCall->bob-phone");
        Assert.Empty(connected.Wakes);
        s.AssertState(BobPhone, CallState.Ringing);

        var accepted = s.Do(new AcceptCall(BobPhone, TestSdp.Answer()));
        s.AssertState(AlicePhone, CallState.InCall);
        var stop = Assert.IsType<StopWaking>(Assert.Single(accepted.Wakes));
        Assert.Equal(Bob, stop.Account);
        Assert.Equal("AnsweredElsewhere", stop.Reason);
        Assert.Null(s.Call.WokenAccount);
    }

    [Fact]
    public void A_device_connecting_again_or_of_another_account_or_after_the_ringing_changes_nothing()
    {
        var s = RingingByPush(BobLaptop);
        s.Unchanged(new DeviceConnected(BobLaptop));
        s.Unchanged(new DeviceConnected(CarolPhone));
        s.Unchanged(new DeviceConnected(AliceLaptop));
        s.Do(new DeviceConnected(BobPhone));
        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()));
        s.Unchanged(new DeviceConnected(BobTablet));
    }

    [Theory]
    [InlineData("cancel", "Canceled", true)]
    [InlineData("timeout", "NoAnswer", true)]
    [InlineData("reject", "Rejected", false)]
    public void Every_end_of_the_ringing_tells_the_woken_account_once_and_an_unanswered_one_is_a_missed_call(string how, string reason, bool missed)
    {
        var s = RingingByPush(BobLaptop);
        var ended = how switch
        {
            "cancel" => s.Do(new EndCall(AlicePhone)),
            "timeout" => s.Do(new TimerElapsed(CallTimerKind.Ring, s.Call.RingGeneration.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            _ => s.Do(new RejectCall(BobLaptop)),
        };
        Assert.Equal(CallPhase.Ended, s.Call.Phase);
        var stop = Assert.IsType<StopWaking>(ended.Wakes[0]);
        Assert.Equal(Bob, stop.Account);
        Assert.Equal(reason, stop.Reason);
        Assert.Null(s.Call.WokenAccount);
        if (missed)
        {
            Assert.Equal(new MissedCall(Bob, reason), Assert.Single(ended.Wakes.Skip(1)));
        }
        else
        {
            Assert.Single(ended.Wakes);
        }
    }

    [Fact]
    public void Changes_while_ringing_that_do_not_stop_it_tell_no_one_and_an_ignored_device_does_not_stop_the_waking()
    {
        var s = RingingByPush(BobLaptop, BobTablet);
        var ignored = s.Do(new IgnoreCall(BobLaptop));
        Assert.Empty(ignored.Wakes);
        var candidate = s.Do(new SendIceCandidate(BobTablet, new IceCandidate("candidate:1 1 udp 1 127.0.0.1 5000 typ host", "0", 0)));
        Assert.Empty(candidate.Wakes);
        Assert.Equal(Bob, s.Call.WokenAccount);
    }

    [Fact]
    public void Forwarding_stops_waking_the_forwarding_account_and_wakes_the_target()
    {
        var s = RingingByPush(BobLaptop);
        var forwarded = s.Do(new ForwardCall(BobLaptop, "carol", Carol, Devices(Carol) with { Wakeable = true }));
        Assert.Collection(
            forwarded.Wakes,
            w => Assert.Equal(new StopWaking(Bob, "Forwarded"), w),
            w => Assert.Equal(new WakeAccount(Carol, s.Now + Settings.RingTimeout), w));
        Assert.Equal(Carol, s.Call.WokenAccount);
        s.AssertState(AlicePhone, CallState.Ringing);

        // A device of carol's that connects now rings; one of bob's does not.
        s.Unchanged(new DeviceConnected(BobPhone));
        AssertNotified(s.Do(new DeviceConnected(CarolPhone)), "IncomingCall->carol-phone");
    }

    [Fact]
    public void Forwarding_to_a_user_with_neither_device_nor_registration_is_refused_CalleeUnavailable()
    {
        var s = RingingByPush(BobLaptop);
        s.Refuse(new ForwardCall(BobLaptop, "carol", Carol, Devices(Carol)), ErrorCode.CalleeUnavailable);
        Assert.Equal(Bob, s.Call.WokenAccount);
    }

    [Fact]
    public void Forwarding_from_an_account_that_was_not_woken_to_one_that_has_only_a_registration_wakes_it()
    {
        var s = Ringing();
        var forwarded = s.Do(new ForwardCall(BobPhone, "carol", Carol, Devices(Carol) with { Wakeable = true }));
        Assert.Equal(new WakeAccount(Carol, s.Now + Settings.RingTimeout), Assert.Single(forwarded.Wakes));
    }
}
