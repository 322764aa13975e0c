using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>
/// Call waiting and busy (rule 22): who rings when the callee's devices are in other calls; and answering a
/// waiting call from the device of another call with <c>HoldAndAccept</c> / <c>EndAndAccept</c> (rule 23).
/// </summary>
public sealed class CallDeciderWaitingTests
{
    private static CalleeLookup BobBusy(BusyPolicy policy, bool wakeable, params Requester[] busy) =>
        BobsDevices() with { BusyDevices = busy.Select(d => d.DeviceId!).ToHashSet(), BusyPolicy = policy, Wakeable = wakeable };

    /// <summary>Rule 22 as a table: policy, which of bob's two devices are in a call, push → who rings, or Busy.</summary>
    [Theory]
    [InlineData(BusyPolicy.CallWaiting, "", false, "bob-phone,bob-laptop", "")]
    [InlineData(BusyPolicy.CallWaiting, "bob-phone", false, "bob-phone,bob-laptop", "bob-phone")]
    [InlineData(BusyPolicy.CallWaiting, "bob-phone,bob-laptop", false, "bob-phone,bob-laptop", "bob-phone,bob-laptop")]
    [InlineData(BusyPolicy.Busy, "", false, "bob-phone,bob-laptop", "")]
    [InlineData(BusyPolicy.Busy, "bob-phone", false, "bob-laptop", "")]
    [InlineData(BusyPolicy.Busy, "bob-phone", true, "bob-laptop", "")]
    [InlineData(BusyPolicy.Busy, "bob-phone,bob-laptop", false, "busy", "")]
    [InlineData(BusyPolicy.Busy, "bob-phone,bob-laptop", true, "", "")]
    public void Who_rings_depends_on_the_policy_and_which_devices_are_in_calls(BusyPolicy policy, string inCalls, bool wakeable, string ring, string waiting)
    {
        var busy = Split(inCalls).Select(d => d == BobPhone.DeviceId ? BobPhone : BobLaptop).ToArray();
        var s = Created();
        var decision = s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobBusy(policy, wakeable, busy)));

        if (ring == "busy")
        {
            // Every connected device is in another call and there is no phone to wake: Busy, the SIP 486 sense.
            s.AssertState(AlicePhone, CallState.Ended, EndReason.Busy, CallStatusCodes.BusyHere);
            Assert.Equal(486, CallStatusCodes.BusyHere);
            Assert.Empty(decision.Notifications.OfType<IncomingCallNotification>());
            Assert.Empty(decision.Timers);
            Assert.Equal(EndReason.Busy, Records.CallRecord.Of(s.Call).CallerEnd.Reason);
            return;
        }

        Assert.Equal(Split(ring).Order(), decision.Notifications.OfType<IncomingCallNotification>().Select(n => n.To.DeviceId!).Order());
        Assert.Equal(Split(ring).Order(), s.Call.RingingDevices.Select(d => d.DeviceId).Order());
        Assert.Equal(Split(waiting).Order(), s.Call.Devices.Where(d => d.Waiting).Select(d => d.DeviceId).Order());
        foreach (var device in s.Call.Devices)
        {
            // The snapshot says waiting: true only to a device that is in another call, and nothing otherwise.
            var view = CallProjection.View(s.Call, CallViewer.CalleeDevice(device.DeviceId));
            Assert.Equal(device.Waiting ? true : null, view.Waiting);
        }

        Assert.Null(s.CallerView.Waiting);
        s.AssertState(AlicePhone, CallState.Ringing);
        Assert.Equal(wakeable ? Bob : null, s.Call.WokenAccount);
    }

    [Fact]
    public void A_busy_callee_with_no_connected_device_at_all_is_unavailable_not_busy()
    {
        var s = Created();
        s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, Devices(Bob) with { BusyPolicy = BusyPolicy.Busy }));

        s.AssertState(AlicePhone, CallState.Ended, EndReason.Unavailable, CallStatusCodes.Unavailable);
    }

    [Fact]
    public void A_waiting_device_accepts_like_any_other_and_the_flag_stays_its_own()
    {
        var s = Created();
        s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobBusy(BusyPolicy.CallWaiting, false, BobPhone)));
        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()));

        s.AssertState(BobPhone, CallState.InCall);
        s.AssertState(AlicePhone, CallState.InCall);
        Assert.True(s.View(BobPhone).Waiting);
    }

    [Fact]
    public void A_call_forwarded_to_a_user_busy_on_every_device_is_refused_and_keeps_ringing()
    {
        var s = Ringing();
        var carolBusy = Devices(Carol, CarolPhone) with { BusyDevices = new HashSet<string> { CarolPhone.DeviceId! }, BusyPolicy = BusyPolicy.Busy };

        var error = s.Refuse(Forward(BobPhone, Carol, carolBusy), ErrorCode.CalleeUnavailable);

        Assert.Contains("busy", error.Message, StringComparison.Ordinal);
        s.AssertState(BobPhone, CallState.Ringing);

        // With call waiting, carol's phone rings, flagged waiting.
        var forwarded = s.Do(Forward(BobPhone, Carol, carolBusy with { BusyPolicy = BusyPolicy.CallWaiting }));
        Assert.Equal(CarolPhone.DeviceId, Single<IncomingCallNotification>(forwarded).To.DeviceId);
        Assert.True(s.Call.Device(CarolPhone.DeviceId!)!.Waiting);
    }

    [Fact]
    public void The_devices_in_a_call_are_the_bound_devices_of_calls_offered_and_not_ended()
    {
        var inCall = InCall().Call;
        var ringing = Ringing().Call with { CallId = "call-2" };
        var created = Created().Call with { CallId = "call-3" };
        var ended = InCall().Then(new EndCall(AlicePhone)).Call with { CallId = "call-4" };

        Assert.Equal([BobPhone.DeviceId!], CallDecider.DevicesInCall([inCall, ringing, created, ended], Bob).Order());
        Assert.Equal([AlicePhone.DeviceId!], CallDecider.DevicesInCall([inCall, ringing, created, ended], Alice).Order());
        Assert.Empty(CallDecider.DevicesInCall([ringing, created, ended], Bob)); // ringing is not being in a call
    }

    // ---- Rule 23: HoldAndAccept / EndAndAccept ----

    /// <summary>bob-phone in a call with alice (call-1), and carol's call (call-2) ringing bob-phone (waiting) and bob-laptop.</summary>
    private static (Call Current, Call Waiting) BobWithACallWaiting()
    {
        var current = InCall().Call;
        var carolToBob = CallDecider.Create(new CreateCall("call-2", CarolPhone, RegisteredCaller, Bob, BobsDevices()), T0).Call!;
        var establish = new EstablishCall(CarolPhone, TestSdp.AudioOffer, BobsDevices() with { BusyDevices = new HashSet<string> { BobPhone.DeviceId! } });
        var ringing = CallDecider.Decide(carolToBob, establish, Settings, T0).Call!;
        ringing = CallDecider.Decide(ringing, new MarkAlerted(ringing.RingGeneration), Settings, T0).Call!;
        Assert.True(ringing.Device(BobPhone.DeviceId!)!.Waiting);
        return (current, ringing);
    }

    private static SwitchCalls HoldAndAccept(Requester by, string? holdOffer = null) =>
        new(by, SwitchKind.HoldAndAccept, TestSdp.Answer(), "op-switch", holdOffer ?? TestSdp.HoldOffer);

    private static SwitchCalls EndAndAccept(Requester by, string? reason = null) =>
        new(by, SwitchKind.EndAndAccept, TestSdp.Answer(), "op-switch", null) { ReasonText = reason };

    [Fact]
    public void HoldAndAccept_answers_the_waiting_call_and_puts_the_current_one_on_hold_in_one_decision()
    {
        var (current, waiting) = BobWithACallWaiting();

        var decision = CallDecider.Switch(waiting, current, HoldAndAccept(BobPhone) with { CustomParameters = new Dictionary<string, string> { ["ticket"] = "7" } }, Settings, T0);

        Assert.False(decision.IsRefused);
        Assert.Equal(waiting.Version + 1, decision.Accept.Call!.Version);
        Assert.Equal((CallPhase.Answering, BobPhone.DeviceId), (decision.Accept.Call.Phase, decision.Accept.Call.Callee.DeviceId));
        Assert.Equal("7", decision.Accept.Call.Callee.CustomParameters.Values["ticket"]);
        Assert.Equal(current.Version + 1, decision.Other.Call!.Version);
        var hold = decision.Other.Call.PendingOperation;
        Assert.Equal((MediaOperation.HoldCall, CallSide.Callee, "op-switch"), (hold!.Operation, hold.Initiator, hold.OperationId));
        var request = Single<RenegotiationRequestedNotification>(decision.Other);
        Assert.Equal(AlicePhone.DeviceId, request.To.DeviceId);
        Assert.Equal(TestSdp.HoldOffer, request.SdpOffer);
        Assert.Contains(decision.Accept.Notifications.OfType<RemoteDescriptionNotification>(), n => n.To.Side == CallSide.Caller);
    }

    [Fact]
    public void EndAndAccept_answers_the_waiting_call_and_ends_the_current_one_with_its_reason_text()
    {
        var (current, waiting) = BobWithACallWaiting();

        var decision = CallDecider.Switch(waiting, current, EndAndAccept(BobPhone, "taking another call"), Settings, T0);

        Assert.False(decision.IsRefused);
        Assert.Equal(BobPhone.DeviceId, decision.Accept.Call!.Callee.DeviceId);
        var ended = decision.Other.Call!;
        Assert.Equal(CallPhase.Ended, ended.Phase);
        Assert.Equal((EndReason.EndedRemotely, "taking another call"), (ended.Caller.End!.Reason, ended.EndReasonText));
        Assert.Equal("taking another call", CallProjection.View(ended, CallViewer.CallerOf(ended)).EndReasonText);
    }

    public static TheoryData<string, ErrorCode> Refusals => new()
    {
        { "same call twice", ErrorCode.InvalidArgument },
        { "a stranger", ErrorCode.CallNotFound },
        { "bob's laptop, not in the current call", ErrorCode.InvalidState },
        { "the waiting call does not ring bob", ErrorCode.InvalidState },
        { "the waiting call was answered elsewhere", ErrorCode.InvalidState },
        { "bad answer", ErrorCode.InvalidSdp },
        { "hold offer that does not hold", ErrorCode.InvalidSdp },
        { "current call already on hold", ErrorCode.AlreadyOnHold },
        { "current call ended", ErrorCode.InvalidState },
        { "too many custom parameters", ErrorCode.InvalidArgument },
        { "end reason text too long", ErrorCode.InvalidArgument },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void A_refused_switch_changes_neither_call(string situation, ErrorCode code)
    {
        var (current, waiting) = BobWithACallWaiting();
        SwitchCalls command = HoldAndAccept(BobPhone);
        switch (situation)
        {
            case "same call twice":
                waiting = current;
                break;
            case "a stranger":
                command = HoldAndAccept(EvePhone);
                break;
            case "bob's laptop, not in the current call":
                command = HoldAndAccept(BobLaptop);
                break;
            case "the waiting call does not ring bob":
                waiting = CallDecider.Decide(waiting, new RejectCall(BobPhone), Settings, T0).Call!;
                break;
            case "the waiting call was answered elsewhere":
                waiting = CallDecider.Decide(waiting, new AcceptCall(BobLaptop, TestSdp.Answer()), Settings, T0).Call!;
                break;
            case "bad answer":
                command = command with { SdpAnswer = "not sdp" };
                break;
            case "hold offer that does not hold":
                command = HoldAndAccept(BobPhone, TestSdp.AudioOffer);
                break;
            case "current call already on hold":
                current = Of(current).Then(Hold(BobPhone)).Then(new AnswerRenegotiation(AlicePhone, "op-hold", TestSdp.Answer(audio: "recvonly"))).Call;
                break;
            case "current call ended":
                current = CallDecider.Decide(current, new EndCall(AlicePhone), Settings, T0).Call!;
                break;
            case "too many custom parameters":
                command = command with { CustomParameters = Enumerable.Range(0, 17).ToDictionary(i => "k" + i, i => "v") };
                break;
            case "end reason text too long":
                command = EndAndAccept(BobPhone, new string('x', 257));
                break;
        }

        var decision = CallDecider.Switch(waiting, current, command, Settings, T0);

        Assert.True(decision.IsRefused, $"{situation} was allowed");
        Assert.Equal(code, decision.Error!.Code);
        foreach (var part in new[] { decision.Accept, decision.Other })
        {
            Assert.Null(part.Call);
            Assert.Empty(part.Notifications);
            Assert.Empty(part.Timers);
            Assert.Empty(part.FollowUps);
        }
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
