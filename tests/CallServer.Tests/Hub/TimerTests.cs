using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>The contract's timers firing (rules 4, 10 and 12), on a server with short timers.</summary>
public sealed class TimerTests(ShortTimersFixture server) : IClassFixture<ShortTimersFixture>
{
    [Fact]
    public async Task An_unanswered_call_ends_with_NoAnswer_after_the_ring_timeout_on_every_side()
    {
        await using var twoDevices = await Scenario.RingingOnTwoDevicesAsync(server);
        var (callerUser, calleeUser, caller, phone, laptop, call) = twoDevices;
        var dialing = await caller.WaitForStateAsync(call.CallId, "Dialing");

        var timeout = server.RingTimeout * 5;
        var noAnswer = await caller.WaitForStateAsync(call.CallId, "Ended", "NoAnswer", timeout);
        Assert.Equal(487, noAnswer.StatusCode);
        Assert.True(noAnswer.EndedAt - dialing.CreatedAt >= server.RingTimeout - TimeSpan.FromMilliseconds(200), $"ended after {noAnswer.EndedAt - dialing.CreatedAt}");
        await phone.WaitForStateAsync(call.CallId, "Ended", "NoAnswer", timeout);
        await laptop.WaitForStateAsync(call.CallId, "Ended", "NoAnswer", timeout);
        await CallEvents.AssertRefusedAsync("InvalidState", () => phone.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio()));
    }

    [Fact]
    public async Task A_call_created_but_never_established_fails_after_the_ring_timeout_and_the_callee_never_hears_of_it()
    {
        var callerUser = await server.CreateUserAsync("caller");
        var calleeUser = await server.CreateUserAsync("callee");
        await using var caller = await server.ConnectAsync(callerUser);
        await using var callee = await server.ConnectAsync(calleeUser);
        var call = await caller.CreateCallAsync(calleeUser.Address);
        await CallEvents.AssertRefusedAsync("CallNotFound", () => callee.InvokeAsync("GetCall", call.CallId));

        var failed = await caller.WaitForStateAsync(call.CallId, "Ended", "Failed", server.RingTimeout * 5);
        Assert.Equal(408, failed.StatusCode);
        Assert.Empty(await callee.InvokeAsync<List<System.Text.Json.JsonElement>>("GetActiveCalls"));
    }

    [Fact]
    public async Task An_unanswered_operation_fails_with_Timeout_and_the_call_state_is_unchanged()
    {
        await using var p = await Scenario.InCallAsync(server);
        var before = await p.Caller.GetCallAsync(p.CallId);

        var operationId = await p.Caller.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly"));
        await p.Callee.WaitForRenegotiationAsync(p.CallId, operationId);

        var completed = await p.Caller.WaitForCompletionAsync(p.CallId, operationId, server.OperationTimeout * 10);
        Assert.False(completed.Succeeded);
        Assert.Equal("HoldCall", completed.Operation);
        Assert.StartsWith("Timeout", completed.Error, StringComparison.Ordinal);
        Assert.Null(completed.SdpAnswer);
        var after = await p.Caller.GetCallAsync(p.CallId);
        Assert.Equal("InCall", after.State);
        Assert.False(after.LocalHold);
        Assert.Null(after.PendingOperationId);
        Assert.Equal(before.Media, after.Media);
        Assert.Equal("InCall", (await p.Callee.GetCallAsync(p.CallId)).State);

        // Too late for the answer; a new operation may start.
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("AnswerRenegotiation", p.CallId, operationId, Sdp.Audio("recvonly")));
        var next = await p.Callee.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly"));
        await p.Caller.WaitForRenegotiationAsync(p.CallId, next);
    }

    [Fact]
    public async Task A_party_that_resumes_within_the_grace_keeps_the_call_past_it_and_gets_its_events_on_the_new_connection()
    {
        await using var p = await Scenario.InCallAsync(server);
        p.Caller.Abort();

        await using var fresh = await server.ConnectAsync(p.CallerUser, "fresh");
        var active = await fresh.InvokeAsync<CallView[]>("GetActiveCalls");
        Assert.Contains(active, c => c.CallId == p.CallId);
        var resumed = await fresh.InvokeAsync<CallView>("ResumeCall", p.CallId);
        Assert.Equal("InCall", resumed.State);
        Assert.Equal(p.CalleeUser.Address, resumed.RemoteAddress);

        await p.Callee.InvokeAsync("Mute", p.CallId);
        await fresh.WaitForMediaAsync(p.CallId, v => v.Media.RemoteMuted);
        var candidate = Sdp.Candidate(0, 50020);
        await p.Callee.InvokeAsync("SendIceCandidate", p.CallId, candidate);
        Assert.Equal(candidate, (await fresh.WaitForEventAsync(CallEvents.IceCandidate, a => a[0].GetString() == p.CallId))[1].To<IceCandidateInit>());

        // Past the grace the call goes on.
        await p.Callee.AssertNoEventAsync(
            CallEvents.CallStatusChanged, a => a[0].Str("callId") == p.CallId && a[0].Str("state") == "Ended", server.ReconnectGrace * 1.5);
        Assert.Equal("InCall", (await fresh.GetCallAsync(p.CallId)).State);

        await fresh.InvokeAsync("EndCall", p.CallId);
        await fresh.WaitForStateAsync(p.CallId, "Ended", "EndedLocally");
        await p.Callee.WaitForStateAsync(p.CallId, "Ended", "EndedRemotely");
    }
}
