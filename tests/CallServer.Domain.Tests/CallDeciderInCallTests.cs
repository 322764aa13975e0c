using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>Hold, unhold, video, renegotiation, mute and ICE (rules 8 to 10, 15).</summary>
public sealed class CallDeciderInCallTests
{
    [Fact]
    public void Hold_waits_for_the_other_partys_answer_then_shows_OnHold_and_RemotelyHeld()
    {
        var s = InCall();
        var started = s.Do(Hold(AlicePhone, "op-1"));

        AssertNotified(started, "RenegotiationRequested->bob-phone");
        var request = Single<RenegotiationRequestedNotification>(started);
        Assert.Equal(("op-1", MediaOperation.HoldCall, TestSdp.HoldOffer), (request.OperationId, request.Operation, request.SdpOffer));
        var timer = Assert.Single(started.Timers);
        Assert.Equal(new TimerRequest(CallTimerKind.Operation, "op-1", s.Now + Settings.OperationTimeout), timer);
        Assert.Empty(started.FollowUps);

        // Nothing is held until the answer.
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(BobPhone, CallState.InCall);
        Assert.Equal("op-1", s.CallerView.PendingOperationId);
        Assert.Equal("op-1", s.View(BobPhone).PendingOperationId);

        var answered = s.Do(new AnswerRenegotiation(BobPhone, "op-1", TestSdp.Answer(audio: "recvonly")));
        AssertNotified(
            answered,
            "CallOperationCompleted->alice-phone",
            "CallStatusChanged->alice-phone",
            "CallStatusChanged->bob-phone");
        var completed = Single<CallOperationCompletedNotification>(answered);
        Assert.True(completed.Succeeded);
        Assert.Null(completed.Error);
        Assert.Equal(("op-1", MediaOperation.HoldCall, TestSdp.Answer(audio: "recvonly")), (completed.OperationId, completed.Operation, completed.SdpAnswer));

        s.AssertState(AlicePhone, CallState.OnHold);
        s.AssertState(BobPhone, CallState.RemotelyHeld);
        Assert.True(s.CallerView.LocalHold);
        Assert.False(s.CallerView.RemoteHold);
        Assert.False(s.View(BobPhone).LocalHold);
        Assert.True(s.View(BobPhone).RemoteHold);
        Assert.Null(s.CallerView.PendingOperationId);

        // The operation timer of the answered operation is stale.
        s.Unchanged(new TimerElapsed(CallTimerKind.Operation, "op-1"));
    }

    [Fact]
    public void Both_sides_hold_independently_OnDoubleHold()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-1"));
        s.AnswerPending(BobPhone);
        s.Do(Hold(BobPhone, "op-2"));
        s.AssertState(AlicePhone, CallState.OnHold);
        s.AssertState(BobPhone, CallState.RemotelyHeld);
        s.AnswerPending(AlicePhone);

        s.AssertState(AlicePhone, CallState.OnDoubleHold);
        s.AssertState(BobPhone, CallState.OnDoubleHold);
        Assert.True(s.CallerView.LocalHold && s.CallerView.RemoteHold);

        // Alice unholds: she sees RemotelyHeld, Bob sees OnHold.
        s.Do(Unhold(AlicePhone, "op-3"));
        s.AnswerPending(BobPhone);
        s.AssertState(AlicePhone, CallState.RemotelyHeld);
        s.AssertState(BobPhone, CallState.OnHold);

        s.Do(Unhold(BobPhone, "op-4"));
        var last = s.AnswerPending(AlicePhone);
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(BobPhone, CallState.InCall);
        AssertNotified(last, "CallOperationCompleted->bob-phone", "CallStatusChanged->alice-phone", "CallStatusChanged->bob-phone");
    }

    [Fact]
    public void The_callee_may_hold_too()
    {
        var s = InCall();
        var started = s.Do(Hold(BobPhone, "op-b"));
        AssertNotified(started, "RenegotiationRequested->alice-phone");
        s.AnswerPending(AlicePhone);
        s.AssertState(BobPhone, CallState.OnHold);
        s.AssertState(AlicePhone, CallState.RemotelyHeld);
    }

    [Theory]
    [InlineData("sendonly", null)]
    [InlineData("inactive", null)]
    [InlineData("sendrecv", ErrorCode.InvalidSdp)]
    [InlineData("recvonly", ErrorCode.InvalidSdp)]
    public void A_hold_offer_must_stop_receiving_audio(string audio, ErrorCode? expected)
    {
        var s = InCall();
        var command = Hold(AlicePhone, "op-1", TestSdp.Offer(audio: audio));
        if (expected is { } code)
        {
            s.Refuse(command, code);
        }
        else
        {
            s.Do(command);
            Assert.Equal("op-1", s.Call.PendingOperation?.OperationId);
        }
    }

    [Fact]
    public void A_hold_offer_may_say_so_at_session_level()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-1", TestSdp.Offer(audio: TestSdp.NoDirection, session: "sendonly")));
        s.AnswerPending(BobPhone);
        s.AssertState(AlicePhone, CallState.OnHold);
    }

    [Fact]
    public void Rejecting_a_renegotiation_fails_it_for_the_initiator_and_changes_no_state()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-1"));
        var rejected = s.Do(new RejectRenegotiation(BobPhone, "op-1", "busy with something"));

        AssertNotified(rejected, "CallOperationCompleted->alice-phone");
        var completed = Single<CallOperationCompletedNotification>(rejected);
        Assert.False(completed.Succeeded);
        Assert.Equal("Rejected: busy with something", completed.Error);
        Assert.Null(completed.SdpAnswer);
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(BobPhone, CallState.InCall);
        Assert.Null(s.Call.PendingOperation);

        // The next operation may start.
        s.Do(Hold(AlicePhone, "op-2"));
    }

    [Fact]
    public void Rejecting_without_a_reason_gives_a_default_one()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-1"));
        var rejected = s.Do(new RejectRenegotiation(BobPhone, "op-1", null));
        var error = Single<CallOperationCompletedNotification>(rejected).Error;
        Assert.NotNull(error);
        Assert.StartsWith("Rejected: ", error, StringComparison.Ordinal);
        Assert.True(error.Length > "Rejected: ".Length);
    }

    [Fact]
    public void An_unanswered_operation_times_out_and_the_state_is_unchanged()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-1"));
        s.AnswerPending(BobPhone);
        var heldViews = (s.CallerView.State, s.View(BobPhone).State);

        s.Do(Unhold(AlicePhone, "op-2"));
        s.Advance(Settings.OperationTimeout);
        var timedOut = s.Do(new TimerElapsed(CallTimerKind.Operation, "op-2"));

        AssertNotified(timedOut, "CallOperationCompleted->alice-phone");
        var completed = Single<CallOperationCompletedNotification>(timedOut);
        Assert.False(completed.Succeeded);
        Assert.Equal(("op-2", MediaOperation.UnholdCall), (completed.OperationId, completed.Operation));
        Assert.StartsWith("Timeout:", completed.Error, StringComparison.Ordinal);
        Assert.Equal((CallState.OnHold, CallState.RemotelyHeld), heldViews);
        s.AssertState(AlicePhone, CallState.OnHold);
        s.AssertState(BobPhone, CallState.RemotelyHeld);
        Assert.Null(s.Call.PendingOperation);

        // The late answer finds no operation.
        s.Refuse(new AnswerRenegotiation(BobPhone, "op-2", TestSdp.Answer()), ErrorCode.InvalidState);
        s.Unchanged(new TimerElapsed(CallTimerKind.Operation, "op-2"));
    }

    [Fact]
    public void An_operation_timer_of_another_operation_does_nothing()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-2"));
        s.Unchanged(new TimerElapsed(CallTimerKind.Operation, "op-1"));
        Assert.Equal("op-2", s.Call.PendingOperation?.OperationId);
    }

    [Fact]
    public void Video_start_and_stop_change_the_media_attributes_of_both_sides()
    {
        var s = InCall();
        Assert.False(s.CallerView.Media.Video);
        var start = s.Do(VideoStart(AlicePhone, "op-v1"));
        AssertNotified(start, "RenegotiationRequested->bob-phone");
        Assert.False(s.CallerView.Media.LocalVideo);

        var answered = s.AnswerPending(BobPhone, TestSdp.Answer(video: "sendrecv"));
        AssertNotified(
            answered,
            "CallOperationCompleted->alice-phone",
            "MediaAttributesChanged->alice-phone",
            "MediaAttributesChanged->bob-phone");
        Assert.Equal(new CallMedia(true, true, true, true, false, false), s.CallerView.Media);
        Assert.Equal(new CallMedia(true, true, true, true, false, false), s.View(BobPhone).Media);
        s.AssertState(AlicePhone, CallState.InCall);

        // Bob stops his video; Alice keeps hers.
        s.Do(VideoStop(BobPhone, "op-v2", TestSdp.Offer(video: "recvonly")));
        var stopped = s.AnswerPending(AlicePhone, TestSdp.Answer(video: "sendonly"));
        AssertNotified(
            stopped,
            "CallOperationCompleted->bob-phone",
            "MediaAttributesChanged->alice-phone",
            "MediaAttributesChanged->bob-phone");
        Assert.Equal(new CallMedia(true, true, LocalVideo: true, RemoteVideo: false, false, false), s.CallerView.Media);
        Assert.Equal(new CallMedia(true, true, LocalVideo: false, RemoteVideo: true, false, false), s.View(BobPhone).Media);

        s.Do(VideoStop(AlicePhone, "op-v3"));
        s.AnswerPending(BobPhone, TestSdp.Answer(video: "inactive"));
        Assert.False(s.CallerView.Media.Video);
        Assert.False(s.View(BobPhone).Media.Video);
    }

    [Fact]
    public void Stopping_video_keeps_the_answerers_video_as_its_answer_says()
    {
        var s = InCall(TestSdp.VideoOffer, TestSdp.Answer(video: "sendrecv"));
        s.Do(VideoStop(AlicePhone, "op-v", TestSdp.Offer(video: "recvonly")));
        var stopped = s.AnswerPending(BobPhone, TestSdp.Answer(video: "sendonly"));
        AssertNotified(
            stopped,
            "CallOperationCompleted->alice-phone",
            "MediaAttributesChanged->alice-phone",
            "MediaAttributesChanged->bob-phone");
        Assert.False(s.CallerView.Media.LocalVideo);
        Assert.True(s.CallerView.Media.RemoteVideo);
        Assert.True(s.CallerView.Media.Video);

        s.Do(VideoStart(AlicePhone, "op-v2"));
        s.AnswerPending(BobPhone, TestSdp.Answer(video: "recvonly"));
        Assert.True(s.CallerView.Media.LocalVideo);
        Assert.False(s.CallerView.Media.RemoteVideo);
    }

    /// <summary>
    /// RFC 3264 §6: an answer that rejects the video stream (port 0) or will not receive it
    /// (inactive) means the offerer's video does not flow, so its snapshot must not claim it does.
    /// </summary>
    [Theory]
    [InlineData("recvonly", 0)]
    [InlineData("inactive", 9)]
    [InlineData("sendonly", 9)]
    public void Video_start_answered_without_receiving_video_does_not_show_the_initiators_video(string answerVideo, int answerVideoPort)
    {
        var s = InCall();
        s.Do(VideoStart(AlicePhone, "op-v"));
        s.AnswerPending(BobPhone, TestSdp.Answer(video: answerVideo, videoPort: answerVideoPort));

        Assert.False(s.CallerView.Media.LocalVideo, "alice's snapshot says she sends video, but bob's answer does not take it");
        Assert.False(s.View(BobPhone).Media.RemoteVideo);
    }

    /// <summary>The same at call set-up: a video offer answered with the video stream rejected.</summary>
    [Theory]
    [InlineData("recvonly", 0)]
    [InlineData("inactive", 9)]
    public void A_video_offer_answered_without_receiving_video_does_not_show_the_callers_video(string answerVideo, int answerVideoPort)
    {
        var s = InCall(TestSdp.VideoOffer, TestSdp.Answer(video: answerVideo, videoPort: answerVideoPort));

        Assert.False(s.CallerView.Media.LocalVideo, "alice's snapshot says she sends video, but bob's answer does not take it");
        Assert.False(s.View(BobPhone).Media.RemoteVideo);
        Assert.False(s.CallerView.Media.Video);
    }

    [Fact]
    public void Mute_and_unmute_are_idempotent()
    {
        var s = InCall();
        var muted = s.Do(new SetMuted(AlicePhone, true));
        AssertNotified(muted, "MediaAttributesChanged->alice-phone", "MediaAttributesChanged->bob-phone");
        Assert.True(s.CallerView.Media.LocalMuted);
        Assert.True(s.View(BobPhone).Media.RemoteMuted);
        Assert.False(s.View(BobPhone).Media.LocalMuted);
        var version = s.Call.Version;

        var again = s.Unchanged(new SetMuted(AlicePhone, true));
        Assert.Empty(again.Notifications);
        Assert.Equal(version, s.Call.Version);

        s.Do(new SetMuted(AlicePhone, false));
        Assert.False(s.CallerView.Media.LocalMuted);
        Assert.Equal(version + 1, s.Call.Version);
        Assert.Empty(s.Unchanged(new SetMuted(AlicePhone, false)).Notifications);

        s.Do(new SetMuted(BobPhone, true));
        Assert.True(s.CallerView.Media.RemoteMuted);
        s.AssertState(AlicePhone, CallState.InCall);
    }

    [Fact]
    public void Mute_is_allowed_while_the_answer_is_on_its_way()
    {
        var s = Ringing();
        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()), followUps: false);
        s.Do(new SetMuted(BobPhone, true));
        Assert.True(s.CallerView.Media.RemoteMuted);
    }

    [Fact]
    public void Mute_does_not_count_as_an_operation_in_progress()
    {
        var s = InCall();
        s.Do(Hold(AlicePhone, "op-1"));
        s.Do(new SetMuted(BobPhone, true));
        Assert.Equal("op-1", s.Call.PendingOperation?.OperationId);
    }

    [Fact]
    public void Candidates_sent_before_accept_are_kept_and_handed_to_the_accepting_device()
    {
        var s = Ringing();
        var kept1 = s.Do(new SendIceCandidate(AlicePhone, Candidate(1)));
        var kept2 = s.Do(new SendIceCandidate(AlicePhone, Candidate(2, "1")));
        Assert.Empty(kept1.Notifications);
        Assert.Empty(kept2.Notifications);
        Assert.Equal([Candidate(1), Candidate(2, "1")], s.Call.CandidatesForCallee);

        var accepted = s.Do(new AcceptCall(BobLaptop, TestSdp.Answer()));
        var handed = accepted.Notifications.OfType<IceCandidateNotification>().ToList();
        Assert.Equal([Candidate(1), Candidate(2, "1")], handed.Select(n => n.Candidate));
        Assert.All(handed, n => Assert.Equal(CallViewer.CalleeDevice("bob-laptop"), n.To));
        Assert.Empty(s.Call.CandidatesForCallee);
    }

    [Fact]
    public void Candidates_of_ringing_devices_are_kept_and_only_the_accepting_devices_reach_the_caller()
    {
        var s = Ringing();
        var kept = s.Do(new SendIceCandidate(BobPhone, Candidate(5)));
        s.Do(new SendIceCandidate(BobLaptop, Candidate(6)));
        Assert.Empty(kept.Notifications);
        Assert.Equal(2, s.Call.CandidatesFromDevices.Count);

        var accepted = s.Do(new AcceptCall(BobLaptop, TestSdp.Answer()));
        var handed = accepted.Notifications.OfType<IceCandidateNotification>().ToList();
        Assert.Equal([Candidate(6)], handed.Select(n => n.Candidate));
        Assert.All(handed, n => Assert.Equal(CallViewer.CallerOf(s.Call), n.To));
        Assert.Empty(s.Call.CandidatesFromDevices);
    }

    [Fact]
    public void Candidates_are_relayed_to_the_other_party_once_a_device_is_bound()
    {
        var s = InCall();
        var fromCaller = s.Unchanged(new SendIceCandidate(AlicePhone, Candidate(3)));
        AssertNotified(fromCaller, "IceCandidate->bob-phone");
        Assert.Equal(Candidate(3), Single<IceCandidateNotification>(fromCaller).Candidate);

        var fromCallee = s.Unchanged(new SendIceCandidate(BobPhone, Candidate(4)));
        AssertNotified(fromCallee, "IceCandidate->alice-phone");

        // The end-of-candidates marker is relayed too.
        var end = s.Unchanged(new SendIceCandidate(AlicePhone, new IceCandidate(string.Empty, "0", 0)));
        AssertNotified(end, "IceCandidate->bob-phone");
    }

    [Fact]
    public void The_caller_may_trickle_while_the_answer_is_on_its_way()
    {
        var s = Ringing();
        s.Do(new AcceptCall(BobPhone, TestSdp.Answer()), followUps: false);
        AssertNotified(s.Unchanged(new SendIceCandidate(AlicePhone, Candidate(5))), "IceCandidate->bob-phone");
    }

    [Fact]
    public void At_most_64_candidates_are_kept_before_accept()
    {
        var s = Ringing();
        for (var i = 0; i < IceCandidate.MaxPending; i++)
        {
            s.Do(new SendIceCandidate(AlicePhone, Candidate(i)));
        }

        s.Refuse(new SendIceCandidate(AlicePhone, Candidate(99)), ErrorCode.PayloadTooLarge);
        Assert.Equal(IceCandidate.MaxPending, s.Call.CandidatesForCallee.Count);
    }

    [Fact]
    public void Ringing_devices_keep_at_most_64_candidates_each_and_256_together()
    {
        var devices = Enumerable.Range(0, 6).Select(i => new Requester(Bob, $"bob-device-{i}")).ToArray();
        var s = Ringing(null, devices);
        for (var i = 0; i < IceCandidate.MaxPending; i++)
        {
            s.Do(new SendIceCandidate(devices[0], Candidate(i)));
        }

        s.Refuse(new SendIceCandidate(devices[0], Candidate(99)), ErrorCode.PayloadTooLarge);
        for (var device = 1; device < 4; device++)
        {
            for (var i = 0; i < IceCandidate.MaxPending; i++)
            {
                s.Do(new SendIceCandidate(devices[device], Candidate(i)));
            }
        }

        Assert.Equal(IceCandidate.MaxPendingFromDevices, s.Call.CandidatesFromDevices.Count);
        s.Refuse(new SendIceCandidate(devices[4], Candidate(1)), ErrorCode.PayloadTooLarge); // its first, but the call is full
        Assert.Equal(IceCandidate.MaxPendingFromDevices, s.Call.CandidatesFromDevices.Count);
    }

    public static TheoryData<string> InCallRefusals => new(InCallCases.Keys);

    private static CallScenario HoldPending() => InCall().Then(Hold(AlicePhone, "op-1"));

    private static CallScenario AliceHolds()
    {
        var s = HoldPending();
        s.AnswerPending(BobPhone);
        return s;
    }

    private static CallScenario WithVideo()
    {
        var s = InCall(TestSdp.VideoOffer, TestSdp.Answer(video: "sendrecv"));
        return s;
    }

    private static CallScenario EndedInCall() => InCall().Then(new EndCall(BobPhone));

    private static readonly string Oversized = "candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host " + new string('x', 1000);

    private static readonly Dictionary<string, (Func<CallScenario> Setup, CallCommand Command, ErrorCode Code)> InCallCases = new()
    {
        ["hold twice"] = (AliceHolds, Hold(AlicePhone, "op-2"), ErrorCode.AlreadyOnHold),
        ["unhold when not held"] = (() => InCall(), Unhold(AlicePhone), ErrorCode.NotOnHold),
        ["unhold when only remotely held"] = (AliceHolds, Unhold(BobPhone), ErrorCode.NotOnHold),
        ["hold while own hold is pending"] = (HoldPending, Hold(AlicePhone, "op-2"), ErrorCode.OperationInProgress),
        ["hold while the other's hold is pending"] = (HoldPending, Hold(BobPhone, "op-2"), ErrorCode.OperationInProgress),
        ["video start while a hold is pending"] = (HoldPending, VideoStart(BobPhone, "op-2"), ErrorCode.OperationInProgress),
        ["unhold while a hold is pending"] = (HoldPending, Unhold(AlicePhone, "op-2"), ErrorCode.OperationInProgress),
        ["video stop while a hold is pending"] = (HoldPending, VideoStop(AlicePhone, "op-2"), ErrorCode.OperationInProgress),
        ["hold with sendrecv audio"] = (() => InCall(), Hold(AlicePhone, "op-1", TestSdp.Offer(audio: "sendrecv")), ErrorCode.InvalidSdp),
        ["hold with garbage sdp"] = (() => InCall(), Hold(AlicePhone, "op-1", "hold please"), ErrorCode.InvalidSdp),
        ["hold with oversized sdp"] = (() => InCall(), Hold(AlicePhone, "op-1", TestSdp.OfferOfLength(65_537)), ErrorCode.PayloadTooLarge),
        ["unhold still not receiving"] = (AliceHolds, Unhold(AlicePhone, "op-2", TestSdp.Offer(audio: "sendonly")), ErrorCode.InvalidSdp),
        ["video start without video"] = (() => InCall(), VideoStart(AlicePhone, "op-1", TestSdp.AudioOffer), ErrorCode.InvalidSdp),
        ["video start with receive-only video"] = (() => InCall(), VideoStart(AlicePhone, "op-1", TestSdp.Offer(video: "recvonly")), ErrorCode.InvalidSdp),
        ["video stop still sending"] = (WithVideo, VideoStop(AlicePhone, "op-1", TestSdp.VideoOffer), ErrorCode.InvalidSdp),
        ["video start twice"] = (WithVideo, VideoStart(AlicePhone), ErrorCode.InvalidState),
        ["video stop without video"] = (() => InCall(), VideoStop(AlicePhone), ErrorCode.InvalidState),
        ["operation without an id"] = (() => InCall(), Hold(AlicePhone, " "), ErrorCode.InvalidArgument),
        ["operation with a very long id"] = (() => InCall(), Hold(AlicePhone, new string('o', 65)), ErrorCode.InvalidArgument),
        ["hold by a stranger"] = (() => InCall(), Hold(EvePhone), ErrorCode.CallNotFound),
        ["hold from the device that lost the race"] = (() => InCall(), Hold(BobLaptop), ErrorCode.InvalidState),
        ["hold from another device of the caller"] = (() => InCall(), Hold(AliceLaptop), ErrorCode.InvalidState),
        ["hold after the call ended"] = (EndedInCall, Hold(AlicePhone), ErrorCode.InvalidState),
        ["hold before establish"] = (() => Created(), Hold(AlicePhone), ErrorCode.InvalidState),
        ["answer by the initiator"] = (HoldPending, new AnswerRenegotiation(AlicePhone, "op-1", TestSdp.Answer()), ErrorCode.Forbidden),
        ["reject by the initiator"] = (HoldPending, new RejectRenegotiation(AlicePhone, "op-1", null), ErrorCode.Forbidden),
        ["answer an unknown operation"] = (HoldPending, new AnswerRenegotiation(BobPhone, "op-9", TestSdp.Answer()), ErrorCode.InvalidState),
        ["answer when nothing is pending"] = (() => InCall(), new AnswerRenegotiation(BobPhone, "op-1", TestSdp.Answer()), ErrorCode.InvalidState),
        ["answer with garbage sdp"] = (HoldPending, new AnswerRenegotiation(BobPhone, "op-1", "ok"), ErrorCode.InvalidSdp),
        ["answer by a stranger"] = (HoldPending, new AnswerRenegotiation(EvePhone, "op-1", TestSdp.Answer()), ErrorCode.CallNotFound),
        ["answer from an unbound device"] = (HoldPending, new AnswerRenegotiation(BobLaptop, "op-1", TestSdp.Answer()), ErrorCode.InvalidState),
        ["reject with a reason too long"] = (HoldPending, new RejectRenegotiation(BobPhone, "op-1", new string('r', 257)), ErrorCode.InvalidArgument),
        ["reject an unknown operation"] = (HoldPending, new RejectRenegotiation(BobPhone, "op-9", null), ErrorCode.InvalidState),
        ["mute by a stranger"] = (() => InCall(), new SetMuted(EvePhone, true), ErrorCode.CallNotFound),
        ["mute after the call ended"] = (EndedInCall, new SetMuted(AlicePhone, true), ErrorCode.InvalidState),
        ["mute before establish"] = (() => Created(), new SetMuted(AlicePhone, true), ErrorCode.InvalidState),
        ["oversized candidate"] = (() => InCall(), new SendIceCandidate(AlicePhone, new IceCandidate(Oversized, "0", 0)), ErrorCode.PayloadTooLarge),
        ["oversized candidate while ringing"] = (() => Ringing(), new SendIceCandidate(AlicePhone, new IceCandidate(Oversized, "0", 0)), ErrorCode.PayloadTooLarge),
        ["candidate with an oversized mid"] = (() => InCall(), new SendIceCandidate(AlicePhone, new IceCandidate(Candidate().Candidate, new string('m', 1000), null)), ErrorCode.PayloadTooLarge),
        ["candidate that is not one"] = (() => InCall(), new SendIceCandidate(AlicePhone, new IceCandidate("a=candidate:1 1 udp", "0", 0)), ErrorCode.InvalidArgument),
        ["candidate without mid or index"] = (() => InCall(), new SendIceCandidate(AlicePhone, new IceCandidate(Candidate().Candidate, null, null)), ErrorCode.InvalidArgument),
        ["candidate with a negative index"] = (() => InCall(), new SendIceCandidate(AlicePhone, new IceCandidate(Candidate().Candidate, null, -1)), ErrorCode.InvalidArgument),
        ["candidate before establish"] = (() => Created(), new SendIceCandidate(AlicePhone, Candidate()), ErrorCode.InvalidState),
        ["candidate by a stranger"] = (() => InCall(), new SendIceCandidate(EvePhone, Candidate()), ErrorCode.CallNotFound),
        ["candidate from the device that lost the race"] = (() => InCall(), new SendIceCandidate(BobLaptop, Candidate()), ErrorCode.InvalidState),
        ["candidate after the call ended"] = (EndedInCall, new SendIceCandidate(AlicePhone, Candidate()), ErrorCode.InvalidState),
    };

    [Theory]
    [MemberData(nameof(InCallRefusals))]
    public void In_call_refusals_change_nothing(string name)
    {
        var (setup, command, code) = InCallCases[name];
        setup().Refuse(command, code);
    }

    [Fact]
    public void Every_operation_is_refused_while_another_is_pending_whoever_asks()
    {
        foreach (var initiator in new[] { AlicePhone, BobPhone })
        {
            var s = InCall();
            s.Do(VideoStart(initiator, "op-1"));
            foreach (var party in new[] { AlicePhone, BobPhone })
            {
                s.Refuse(Hold(party, "op-x"), ErrorCode.OperationInProgress);
                s.Refuse(VideoStart(party, "op-x"), ErrorCode.OperationInProgress);
                s.Refuse(VideoStop(party, "op-x"), ErrorCode.OperationInProgress);
                s.Refuse(Unhold(party, "op-x"), ErrorCode.OperationInProgress);
            }

            // EndCall is always allowed.
            s.Do(new EndCall(initiator == AlicePhone ? BobPhone : AlicePhone));
            s.AssertState(initiator, CallState.Ended, EndReason.EndedRemotely, 9905);
        }
    }
}
