using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Records;
using CallServer.Domain.Views;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>DTMF (rule 24), custom parameters (rule 25), the end reason text (rule 26), quality reports (rule 27).</summary>
public sealed class CallDeciderDuringCallTests
{
    private static Dictionary<string, string> Map(params string[] pairs) =>
        pairs.Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static QualitySample Good(double mos = 4.3, double rtt = 40) => new(rtt, 3, 0, mos, 32, null);

    // ---- Rule 24: DTMF ----

    [Theory]
    [InlineData("1")]
    [InlineData("0123456789*#ABCD,")]
    [InlineData("#,,,9")]
    public void Digits_go_to_the_other_partys_bound_device_and_nothing_is_saved(string digits)
    {
        var s = InCall();

        var fromAlice = s.Unchanged(new SendDtmf(AlicePhone, digits));
        var fromBob = s.Unchanged(new SendDtmf(BobPhone, digits));

        Assert.Equal((BobPhone.DeviceId, digits), (Single<DtmfReceivedNotification>(fromAlice).To.DeviceId, Single<DtmfReceivedNotification>(fromAlice).Digits));
        Assert.Equal((AlicePhone.DeviceId, digits), (Single<DtmfReceivedNotification>(fromBob).To.DeviceId, Single<DtmfReceivedNotification>(fromBob).Digits));
        AssertNotified(fromAlice, "DtmfReceived->bob-phone");
    }

    [Theory]
    [InlineData("")]
    [InlineData("12e")]
    [InlineData("abcd")]
    [InlineData("1 2")]
    [InlineData("1\n")]
    [InlineData("٣")]
    public void Anything_but_1_to_64_of_the_dtmf_digits_is_InvalidArgument(string digits)
    {
        InCall().Refuse(new SendDtmf(AlicePhone, digits), ErrorCode.InvalidArgument);
    }

    [Fact]
    public void Sixty_four_digits_are_taken_and_sixty_five_refused()
    {
        var s = InCall();
        s.Unchanged(new SendDtmf(AlicePhone, new string('5', CallDecider.MaxDtmfDigits)));
        s.Refuse(new SendDtmf(AlicePhone, new string('5', CallDecider.MaxDtmfDigits + 1)), ErrorCode.InvalidArgument);
    }

    [Fact]
    public void Dtmf_is_only_for_a_call_that_is_InCall_and_only_from_its_parties_bound_devices()
    {
        Ringing().Refuse(new SendDtmf(AlicePhone, "1"), ErrorCode.InvalidState);
        Ringing().Refuse(new SendDtmf(BobPhone, "1"), ErrorCode.InvalidState);

        var s = InCall();
        s.Refuse(new SendDtmf(EvePhone, "1"), ErrorCode.CallNotFound);
        s.Refuse(new SendDtmf(BobLaptop, "1"), ErrorCode.InvalidState);

        s.Do(Hold(AlicePhone));
        s.AnswerPending(BobPhone, TestSdp.Answer(audio: "recvonly"));
        s.Refuse(new SendDtmf(AlicePhone, "1"), ErrorCode.InvalidState);
        s.Refuse(new SendDtmf(BobPhone, "1"), ErrorCode.InvalidState);

        s.Do(new EndCall(AlicePhone));
        s.Refuse(new SendDtmf(AlicePhone, "1"), ErrorCode.InvalidState);
    }

    // ---- Rule 25: custom parameters ----

    [Fact]
    public void The_callers_parameters_ride_on_the_incoming_call_and_the_callees_on_the_accept()
    {
        var s = Created();
        s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobsDevices()) { CustomParameters = Map("ticket=42", "topic=billing") });

        Assert.Equal(Map("ticket=42", "topic=billing"), s.View(BobPhone).CustomParameters);
        Assert.Equal(Map("ticket=42", "topic=billing"), s.View(BobLaptop).CustomParameters);
        Assert.Null(s.CallerView.CustomParameters); // a party's view shows the other party's parameters

        var accepted = s.Do(new AcceptCall(BobPhone, TestSdp.Answer()) { CustomParameters = Map("agent=bob") });

        var received = Single<CustomParametersReceivedNotification>(accepted);
        Assert.Equal(AlicePhone.DeviceId, received.To.DeviceId);
        Assert.Equal(Map("agent=bob"), received.Parameters.Values);
        Assert.IsType<CustomParametersReceivedNotification>(accepted.Notifications[0]); // before the answer and the status change
        Assert.Equal(Map("agent=bob"), s.CallerView.CustomParameters);

        var record = CallRecord.Of(s.Then(new EndCall(AlicePhone)).Call);
        Assert.Equal(Map("ticket=42", "topic=billing"), record.CallerParameters.Values);
        Assert.Equal(Map("agent=bob"), record.CalleeParameters.Values);
    }

    [Fact]
    public void Parameters_sent_during_the_call_merge_over_the_partys_own_and_reach_the_other_party()
    {
        var s = Created();
        s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobsDevices()) { CustomParameters = Map("step=1", "keep=yes") });

        // While it rings, every ringing device hears of them.
        var whileRinging = s.Do(new SendCustomParameters(AlicePhone, Map("step=2")));
        AssertNotified(whileRinging, "CustomParametersReceived->bob-phone", "CustomParametersReceived->bob-laptop");

        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()));
        var inCall = s.Do(new SendCustomParameters(BobPhone, Map("mood=ok")));
        AssertNotified(inCall, "CustomParametersReceived->alice-phone");
        Assert.Equal(Map("mood=ok"), Single<CustomParametersReceivedNotification>(inCall).Parameters.Values); // what was sent, not the merge

        Assert.Equal(Map("step=2", "keep=yes"), s.Call.Caller.CustomParameters.Values);
        Assert.Equal(Map("mood=ok"), s.Call.Callee.CustomParameters.Values);
    }

    public static TheoryData<string> BadParameters => new()
    {
        "seventeen entries",
        "empty key",
        "key with a space",
        "key of 65",
        "value of 513 bytes",
        "value of 171 three-byte characters",
        "null value",
    };

    private static Dictionary<string, string> Bad(string kind) => kind switch
    {
        "seventeen entries" => Enumerable.Range(0, 17).ToDictionary(i => "k" + i, _ => "v"),
        "empty key" => Map("=v"),
        "key with a space" => Map("a b=v"),
        "key of 65" => new() { [new string('k', 65)] = "v" },
        "value of 513 bytes" => new() { ["k"] = new string('v', 513) },
        "value of 171 three-byte characters" => new() { ["k"] = new string('€', 171) },
        _ => new() { ["k"] = null! },
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public void Parameters_out_of_bounds_are_InvalidArgument_on_every_command_that_takes_them(string kind)
    {
        var parameters = Bad(kind);
        Created().Refuse(new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobsDevices()) { CustomParameters = parameters }, ErrorCode.InvalidArgument);
        Ringing().Refuse(new AcceptCall(BobPhone, TestSdp.Answer()) { CustomParameters = parameters }, ErrorCode.InvalidArgument);
        Ringing().Refuse(new RejectCall(BobPhone) { CustomParameters = parameters }, ErrorCode.InvalidArgument);
        InCall().Refuse(new EndCall(AlicePhone) { CustomParameters = parameters }, ErrorCode.InvalidArgument);
        InCall().Refuse(new SendCustomParameters(BobPhone, parameters), ErrorCode.InvalidArgument);
    }

    [Fact]
    public void The_edges_of_the_bounds_are_taken()
    {
        var s = InCall();
        var sixteen = Enumerable.Range(0, 16).ToDictionary(i => i == 0 ? new string('K', 64) : "k-" + i, _ => new string('€', 170));
        s.Do(new SendCustomParameters(AlicePhone, sixteen));

        Assert.Equal(16, s.Call.Caller.CustomParameters.Count);
    }

    [Fact]
    public void A_merge_past_sixteen_keys_is_refused_and_a_known_key_is_replaced()
    {
        var s = InCall();
        s.Do(new SendCustomParameters(AlicePhone, Enumerable.Range(0, 16).ToDictionary(i => "k" + i, _ => "1")));

        s.Refuse(new SendCustomParameters(AlicePhone, Map("k99=2")), ErrorCode.InvalidArgument);
        s.Do(new SendCustomParameters(AlicePhone, Map("k3=2")));
        Assert.Equal("2", s.Call.Caller.CustomParameters.Values["k3"]);
        s.Refuse(new SendCustomParameters(AlicePhone, new Dictionary<string, string>()), ErrorCode.InvalidArgument);
    }

    [Fact]
    public void Parameters_need_a_live_call_and_a_party()
    {
        var s = InCall();
        s.Refuse(new SendCustomParameters(EvePhone, Map("a=1")), ErrorCode.CallNotFound);
        s.Refuse(new SendCustomParameters(AliceLaptop, Map("a=1")), ErrorCode.InvalidState);
        s.Do(new EndCall(BobPhone));
        s.Refuse(new SendCustomParameters(AlicePhone, Map("a=1")), ErrorCode.InvalidState);
    }

    [Fact]
    public void A_reject_carries_its_parameters_to_the_caller_before_the_end()
    {
        var s = Ringing();
        var rejected = s.Do(new RejectCall(BobLaptop) { CustomParameters = Map("why=meeting") });

        Assert.IsType<CustomParametersReceivedNotification>(rejected.Notifications[0]);
        Assert.Equal(AlicePhone.DeviceId, rejected.Notifications[0].To.DeviceId);
        s.AssertState(AlicePhone, CallState.Ended, EndReason.Rejected, CallStatusCodes.Rejected);
        Assert.Equal(Map("why=meeting"), CallRecord.Of(s.Call).CalleeParameters.Values);
    }

    // ---- Rule 26: the end reason text ----

    [Fact]
    public void The_text_given_with_EndCall_reaches_the_other_party_and_the_record()
    {
        var s = InCall();
        var ended = s.Do(new EndCall(BobPhone) { ReasonText = "Gone to lunch ☕", CustomParameters = Map("survey=yes") });

        Assert.IsType<CustomParametersReceivedNotification>(ended.Notifications[0]);
        s.AssertState(AlicePhone, CallState.Ended, EndReason.EndedRemotely, CallStatusCodes.SessionCompleted);
        Assert.Equal("Gone to lunch ☕", s.CallerView.EndReasonText);
        Assert.Equal("Gone to lunch ☕", s.View(BobPhone).EndReasonText);
        Assert.Equal("Gone to lunch ☕", CallRecord.Of(s.Call).EndReasonText);
    }

    [Fact]
    public void An_end_reason_text_over_256_characters_is_InvalidArgument_and_256_is_taken()
    {
        InCall().Refuse(new EndCall(AlicePhone) { ReasonText = new string('x', CallDecider.MaxEndReasonTextLength + 1) }, ErrorCode.InvalidArgument);

        var s = InCall().Then(new EndCall(AlicePhone) { ReasonText = new string('x', CallDecider.MaxEndReasonTextLength) });
        Assert.Equal(256, s.View(BobPhone).EndReasonText!.Length);
    }

    [Fact]
    public void A_caller_who_cancels_a_ringing_call_with_a_text_tells_every_ringing_device()
    {
        var s = Ringing();
        s.Do(new EndCall(AlicePhone) { ReasonText = "wrong number" });

        Assert.All(s.Call.Devices, d => Assert.Equal("wrong number", CallProjection.View(s.Call, CallViewer.CalleeDevice(d.DeviceId)).EndReasonText));
        s.AssertState(BobPhone, CallState.Ended, EndReason.Canceled, CallStatusCodes.CanceledOrNotAnswered);
    }

    [Fact]
    public void A_call_with_no_text_has_none_and_the_end_codes_stay_as_they_were()
    {
        var s = InCall().Then(new EndCall(AlicePhone));
        Assert.Null(s.CallerView.EndReasonText);
        Assert.Null(CallRecord.Of(s.Call).EndReasonText);
    }

    // ---- Rule 27: quality reports ----

    [Fact]
    public void Samples_are_kept_per_side_as_min_avg_max_and_the_other_party_hears_nothing()
    {
        var s = InCall();
        var first = s.Do(new ReportQuality(AlicePhone, Good(mos: 4.4, rtt: 20)));
        Assert.Empty(first.Notifications);

        s.Advance(TimeSpan.FromSeconds(5));
        s.Do(new ReportQuality(AlicePhone, Good(mos: 3.0, rtt: 80)));
        s.Advance(TimeSpan.FromSeconds(5));
        s.Do(new ReportQuality(BobPhone, Good(mos: 4.1, rtt: 30)));

        var alice = s.Call.Caller.Quality!;
        Assert.Equal(2, alice.Samples);
        Assert.Equal((20, 50, 80), (alice.Rtt.Min, alice.Rtt.Average, alice.Rtt.Max));
        Assert.Equal((3.0, 3.7, 4.4), (alice.Mos.Min, Math.Round(alice.Mos.Average, 3), alice.Mos.Max));
        Assert.Equal(1, s.Call.Callee.Quality!.Samples);

        var record = CallRecord.Of(s.Then(new EndCall(AlicePhone)).Call);
        Assert.Equal(2, record.CallerQuality!.Samples);
        Assert.Equal(1, record.CalleeQuality!.Samples);
    }

    [Fact]
    public void The_worst_window_is_the_ten_seconds_with_the_lowest_mean_mos()
    {
        var s = InCall();
        double[] mos = [4.4, 4.4, 4.3, 2.0, 2.2, 4.4, 4.4, 4.4, 4.4, 4.4];
        foreach (var value in mos)
        {
            s.Do(new ReportQuality(AlicePhone, Good(mos: value)));
            s.Advance(TimeSpan.FromSeconds(5));
        }

        // Samples 5 s apart: a 10 s window holds two; the worst is the 4th and 5th.
        var worst = s.Call.Caller.Quality!.Worst;
        Assert.Equal(2, worst.Samples);
        Assert.Equal(2.1, Math.Round(worst.Mos, 3));
        Assert.Equal(T0 + TimeSpan.FromSeconds(15), worst.From);
        Assert.Equal(T0 + TimeSpan.FromSeconds(20), worst.To);
    }

    [Fact]
    public void What_a_side_keeps_does_not_grow_with_the_length_of_the_call()
    {
        var s = InCall();
        for (var i = 0; i < 600; i++)
        {
            s.Do(new ReportQuality(BobPhone, Good(mos: 1 + (i % 40) / 10.0)));
            s.Advance(TimeSpan.FromSeconds(1));
        }

        var quality = s.Call.Callee.Quality!;
        Assert.Equal(600, quality.Samples);
        Assert.InRange(quality.Recent.Count, 1, 10);
        Assert.Equal(1.0, quality.Mos.Min);
    }

    [Fact]
    public void A_second_sample_within_a_second_is_RateLimited()
    {
        var s = InCall();
        s.Do(new ReportQuality(AlicePhone, Good()));
        s.Advance(TimeSpan.FromMilliseconds(999));
        s.Refuse(new ReportQuality(AlicePhone, Good()), ErrorCode.RateLimited);
        s.Do(new ReportQuality(BobPhone, Good())); // the other side has its own rate
        s.Advance(TimeSpan.FromMilliseconds(1));
        s.Do(new ReportQuality(AlicePhone, Good()));
    }

    public static TheoryData<QualitySample> Implausible => new()
    {
        new QualitySample(-1, 0, 0, 4),
        new QualitySample(60_001, 0, 0, 4),
        new QualitySample(10, -0.1, 0, 4),
        new QualitySample(10, 0, 100.1, 4),
        new QualitySample(10, 0, -1, 4),
        new QualitySample(10, 0, 0, 0.9),
        new QualitySample(10, 0, 0, 5.1),
        new QualitySample(double.NaN, 0, 0, 4),
        new QualitySample(10, double.PositiveInfinity, 0, 4),
        new QualitySample(10, 0, 0, 4, -5),
        new QualitySample(10, 0, 0, 4, null, 100_001),
    };

    [Theory]
    [MemberData(nameof(Implausible))]
    public void A_sample_out_of_its_ranges_is_InvalidArgument(QualitySample sample)
    {
        InCall().Refuse(new ReportQuality(AlicePhone, sample), ErrorCode.InvalidArgument);
    }

    [Fact]
    public void Quality_is_reported_only_on_a_connected_call_by_its_bound_devices()
    {
        Ringing().Refuse(new ReportQuality(AlicePhone, Good()), ErrorCode.InvalidState);
        var s = InCall();
        s.Refuse(new ReportQuality(EvePhone, Good()), ErrorCode.CallNotFound);
        s.Refuse(new ReportQuality(BobLaptop, Good()), ErrorCode.InvalidState);
        s.Do(Hold(AlicePhone));
        s.AnswerPending(BobPhone, TestSdp.Answer(audio: "recvonly"));
        s.Do(new ReportQuality(AlicePhone, Good())); // on hold is still connected
        s.Do(new EndCall(AlicePhone));
        s.Refuse(new ReportQuality(AlicePhone, Good()), ErrorCode.InvalidState);
    }
}
