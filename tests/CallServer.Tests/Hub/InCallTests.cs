using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>In a call: hold and unhold on both sides, renegotiation answered, refused or timed out, video, mute, end.</summary>
public sealed class InCallTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    [Fact]
    public async Task Hold_remote_hold_double_hold_and_unhold_show_the_right_state_on_each_side()
    {
        await using var p = await Scenario.InCallAsync(server);

        // The caller holds: OnHold for it, RemotelyHeld for the callee.
        var hold = await Scenario.RenegotiateAsync(p.Caller, p.Callee, p.CallId, "HoldCall", Sdp.Audio("sendonly"), Sdp.Audio("recvonly"));
        var callerView = await p.Caller.WaitForStateAsync(p.CallId, "OnHold");
        var calleeView = await p.Callee.WaitForStateAsync(p.CallId, "RemotelyHeld");
        Assert.True(callerView.LocalHold);
        Assert.False(callerView.RemoteHold);
        Assert.False(calleeView.LocalHold);
        Assert.True(calleeView.RemoteHold);
        Assert.Null(callerView.PendingOperationId);

        // A second hold by the same party is refused; the call is unchanged.
        var before = await p.Caller.GetCallAsync(p.CallId);
        await CallEvents.AssertRefusedAsync("AlreadyOnHold", () => p.Caller.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly")));
        await p.Caller.AssertUnchangedAsync(before);

        // The callee holds too: both on double hold.
        await Scenario.RenegotiateAsync(p.Callee, p.Caller, p.CallId, "HoldCall", Sdp.Audio("inactive"), Sdp.Audio("inactive"));
        var callerDouble = await p.Caller.WaitForStateAsync(p.CallId, "OnDoubleHold");
        var calleeDouble = await p.Callee.WaitForStateAsync(p.CallId, "OnDoubleHold");
        Assert.True(callerDouble.LocalHold && callerDouble.RemoteHold);
        Assert.True(calleeDouble.LocalHold && calleeDouble.RemoteHold);

        // The caller unholds: it is now remotely held, the callee still holds.
        await Scenario.RenegotiateAsync(p.Caller, p.Callee, p.CallId, "UnholdCall", Sdp.Audio("recvonly"), Sdp.Audio("sendonly"));
        await p.Caller.WaitForStateAsync(p.CallId, "RemotelyHeld");
        await p.Callee.WaitForStateAsync(p.CallId, "OnHold");

        // Unhold by the caller again: it does not hold.
        before = await p.Caller.GetCallAsync(p.CallId);
        await CallEvents.AssertRefusedAsync("NotOnHold", () => p.Caller.InvokeAsync<string>("UnholdCall", p.CallId, Sdp.Audio()));
        await p.Caller.AssertUnchangedAsync(before);

        await Scenario.RenegotiateAsync(p.Callee, p.Caller, p.CallId, "UnholdCall", Sdp.Audio(), Sdp.Audio());
        var callerBack = await p.Caller.WaitForStateAsync(p.CallId, "InCall");
        var calleeBack = await p.Callee.WaitForStateAsync(p.CallId, "InCall");
        Assert.False(callerBack.LocalHold || callerBack.RemoteHold);
        Assert.False(calleeBack.LocalHold || calleeBack.RemoteHold);
        Assert.True(callerBack.Sequence > callerDouble.Sequence);
        Assert.False(string.IsNullOrEmpty(hold.OperationId));
    }

    [Fact]
    public async Task Hold_offer_that_still_receives_audio_is_InvalidSdp_and_unhold_offer_must_receive_audio()
    {
        await using var p = await Scenario.InCallAsync(server);
        var before = await p.Caller.GetCallAsync(p.CallId);
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Caller.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendrecv")));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Caller.InvokeAsync<string>("HoldCall", p.CallId, "not sdp"));
        await p.Caller.AssertUnchangedAsync(before);

        await Scenario.RenegotiateAsync(p.Caller, p.Callee, p.CallId, "HoldCall", Sdp.Audio("inactive"), Sdp.Audio("inactive"));
        before = await p.Caller.WaitForStateAsync(p.CallId, "OnHold");
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Caller.InvokeAsync<string>("UnholdCall", p.CallId, Sdp.Audio("sendonly")));
        await p.Caller.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Rejected_renegotiation_fails_the_operation_and_leaves_the_state()
    {
        await using var p = await Scenario.InCallAsync(server);
        var before = await p.Caller.GetCallAsync(p.CallId);

        var operationId = await p.Caller.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly"));
        var request = await p.Callee.WaitForRenegotiationAsync(p.CallId, operationId);
        Assert.Equal("HoldCall", request.Operation);
        Assert.Equal(operationId, (await p.Caller.GetCallAsync(p.CallId)).PendingOperationId);

        await p.Callee.InvokeAsync("RejectRenegotiation", p.CallId, operationId, "busy with something else");

        var completed = await p.Caller.WaitForCompletionAsync(p.CallId, operationId);
        Assert.False(completed.Succeeded);
        Assert.Equal("HoldCall", completed.Operation);
        Assert.Null(completed.SdpAnswer);
        Assert.NotNull(completed.Error);
        Assert.Contains("busy with something else", completed.Error, StringComparison.Ordinal);
        var after = await p.Caller.GetCallAsync(p.CallId);
        Assert.Equal("InCall", after.State);
        Assert.False(after.LocalHold);
        Assert.Null(after.PendingOperationId);
        Assert.Equal(before.Media, after.Media);

        // The operation is over: answering it now is refused.
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("AnswerRenegotiation", p.CallId, operationId, Sdp.Audio("recvonly")));
    }

    [Fact]
    public async Task One_operation_at_a_time_other_operations_get_OperationInProgress_and_EndCall_still_works()
    {
        await using var p = await Scenario.InCallAsync(server);
        var operationId = await p.Caller.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly"));
        await p.Callee.WaitForRenegotiationAsync(p.CallId, operationId);
        var before = await p.Caller.GetCallAsync(p.CallId);

        await CallEvents.AssertRefusedAsync("OperationInProgress", () => p.Callee.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly")));
        await CallEvents.AssertRefusedAsync("OperationInProgress", () => p.Caller.InvokeAsync<string>("VideoStart", p.CallId, Sdp.Video()));
        await CallEvents.AssertRefusedAsync("OperationInProgress", () => p.Callee.InvokeAsync<string>("VideoStart", p.CallId, Sdp.Video()));
        await p.Caller.AssertUnchangedAsync(before);

        // The initiator cannot answer its own operation.
        await CallEvents.AssertRefusedAsync("Forbidden", () => p.Caller.InvokeAsync("AnswerRenegotiation", p.CallId, operationId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("Forbidden", () => p.Caller.InvokeAsync("RejectRenegotiation", p.CallId, operationId, "no"));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("AnswerRenegotiation", p.CallId, "not-the-operation", Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Callee.InvokeAsync("RejectRenegotiation", p.CallId, operationId, new string('r', 300)));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Callee.InvokeAsync("AnswerRenegotiation", p.CallId, operationId, "v=1"));
        await p.Caller.AssertUnchangedAsync(before);

        await p.Callee.InvokeAsync("EndCall", p.CallId);
        var failed = await p.Caller.WaitForCompletionAsync(p.CallId, operationId);
        Assert.False(failed.Succeeded);
        await p.Caller.WaitForStateAsync(p.CallId, "Ended", "EndedRemotely");
        await p.Callee.WaitForStateAsync(p.CallId, "Ended", "EndedLocally");
    }

    [Fact]
    public async Task Video_start_and_stop_change_the_media_attributes_of_both_parties()
    {
        await using var p = await Scenario.InCallAsync(server, Sdp.AudioWithInactiveVideo(), Sdp.AudioWithInactiveVideo());
        var start = await p.Caller.GetCallAsync(p.CallId);
        Assert.False(start.Media.Video);

        await Scenario.RenegotiateAsync(p.Caller, p.Callee, p.CallId, "VideoStart", Sdp.Video(), Sdp.Video(video: "recvonly"));
        var callerMedia = await p.Caller.WaitForMediaAsync(p.CallId, v => v.Media.LocalVideo);
        var calleeMedia = await p.Callee.WaitForMediaAsync(p.CallId, v => v.Media.RemoteVideo);
        Assert.True(callerMedia.Media.Video);
        Assert.False(callerMedia.Media.RemoteVideo);
        Assert.True(calleeMedia.Media.Video);
        Assert.False(calleeMedia.Media.LocalVideo);
        Assert.Equal("InCall", callerMedia.State);

        var before = await p.Caller.GetCallAsync(p.CallId);
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync<string>("VideoStart", p.CallId, Sdp.Video()));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Caller.InvokeAsync<string>("VideoStop", p.CallId, Sdp.Video()));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync<string>("VideoStop", p.CallId, Sdp.Video(video: "inactive")));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Callee.InvokeAsync<string>("VideoStart", p.CallId, Sdp.Video(video: "recvonly")));
        await p.Caller.AssertUnchangedAsync(before);

        await Scenario.RenegotiateAsync(p.Caller, p.Callee, p.CallId, "VideoStop", Sdp.Video(video: "inactive"), Sdp.Video(video: "inactive"));
        var callerStopped = await p.Caller.WaitForMediaAsync(p.CallId, v => !v.Media.LocalVideo);
        var calleeStopped = await p.Callee.WaitForMediaAsync(p.CallId, v => !v.Media.RemoteVideo);
        Assert.False(callerStopped.Media.Video);
        Assert.False(calleeStopped.Media.Video);
    }

    [Fact]
    public async Task Video_started_by_the_callee_in_an_audio_call_shows_on_both_sides()
    {
        await using var p = await Scenario.InCallAsync(server);
        await Scenario.RenegotiateAsync(p.Callee, p.Caller, p.CallId, "VideoStart", Sdp.Video(), Sdp.Video());
        var callerMedia = await p.Caller.WaitForMediaAsync(p.CallId, v => v.Media.RemoteVideo);
        var calleeMedia = await p.Callee.WaitForMediaAsync(p.CallId, v => v.Media.LocalVideo);
        Assert.True(callerMedia.Media.LocalVideo, "the caller answered with video");
        Assert.True(calleeMedia.Media.RemoteVideo);
    }

    [Fact]
    public async Task Mute_and_unmute_change_the_media_attributes_and_are_idempotent()
    {
        await using var p = await Scenario.InCallAsync(server);

        await p.Caller.InvokeAsync("Mute", p.CallId);
        var callerMuted = await p.Caller.WaitForMediaAsync(p.CallId, v => v.Media.LocalMuted);
        var calleeSees = await p.Callee.WaitForMediaAsync(p.CallId, v => v.Media.RemoteMuted);
        Assert.False(callerMuted.Media.RemoteMuted);
        Assert.False(calleeSees.Media.LocalMuted);
        Assert.Equal("InCall", callerMuted.State);

        var before = await p.Caller.GetCallAsync(p.CallId);
        await p.Caller.InvokeAsync("Mute", p.CallId);
        await p.Caller.AssertUnchangedAsync(before);
        await p.Callee.AssertNoEventAsync(CallEvents.MediaAttributesChanged, window: TimeSpan.FromMilliseconds(200));

        await p.Caller.InvokeAsync("Unmute", p.CallId);
        await p.Caller.WaitForMediaAsync(p.CallId, v => !v.Media.LocalMuted);
        var calleeUnmuted = await p.Callee.WaitForMediaAsync(p.CallId, v => !v.Media.RemoteMuted);
        Assert.True(calleeUnmuted.Sequence > calleeSees.Sequence);
    }

    [Fact]
    public async Task EndCall_ends_locally_for_the_one_who_ends_and_remotely_for_the_other()
    {
        await using var p = await Scenario.InCallAsync(server);
        await p.Caller.InvokeAsync("EndCall", p.CallId);

        var local = await p.Caller.WaitForStateAsync(p.CallId, "Ended", "EndedLocally");
        var remote = await p.Callee.WaitForStateAsync(p.CallId, "Ended", "EndedRemotely");
        Assert.Equal(9901, local.StatusCode);
        Assert.Equal(9905, remote.StatusCode);
        Assert.NotNull(local.EndedAt);

        // Ended is final: every further command is refused and GetCall still answers.
        var before = await p.Caller.GetCallAsync(p.CallId);
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync("EndCall", p.CallId));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("Mute", p.CallId));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly")));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync<CallView>("ResumeCall", p.CallId));
        await p.Caller.AssertUnchangedAsync(before);
        Assert.Empty(await p.Caller.InvokeAsync<CallView[]>("GetActiveCalls"));
    }
}
