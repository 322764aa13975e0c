using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>Rule 12: a dropped connection keeps the call for the grace period; ResumeCall picks it up.</summary>
public sealed class ReconnectTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    [Fact]
    public async Task GetActiveCalls_lists_the_users_calls_that_have_not_ended_as_it_sees_them()
    {
        await using var p = await Scenario.InCallAsync(server);
        var otherCallee = await server.CreateUserAsync("other");
        var pending = await p.Caller.CreateCallAsync(otherCallee.Address);

        var callerCalls = await p.Caller.InvokeAsync<CallView[]>("GetActiveCalls");
        Assert.Equal([p.CallId, pending.CallId], callerCalls.Select(c => c.CallId));
        Assert.Equal(["InCall", "Initial"], callerCalls.Select(c => c.State));
        Assert.All(callerCalls, c => Assert.Equal("outgoing", c.Direction));

        var calleeCalls = await p.Callee.InvokeAsync<CallView[]>("GetActiveCalls");
        var only = Assert.Single(calleeCalls);
        Assert.Equal(p.CallId, only.CallId);
        Assert.Equal("incoming", only.Direction);

        await p.Caller.InvokeAsync("EndCall", p.CallId);
        await p.Caller.WaitForStateAsync(p.CallId, "Ended");
        Assert.Equal([pending.CallId], (await p.Caller.InvokeAsync<CallView[]>("GetActiveCalls")).Select(c => c.CallId));
    }

    [Fact]
    public async Task A_callee_that_reconnects_resumes_the_call_on_its_new_device()
    {
        await using var p = await Scenario.InCallAsync(server);
        p.Callee.Abort();

        await using var fresh = await server.ConnectAsync(p.CalleeUser, "fresh");
        var resumed = await fresh.InvokeAsync<CallView>("ResumeCall", p.CallId);
        Assert.Equal("InCall", resumed.State);
        Assert.Equal("incoming", resumed.Direction);

        var candidate = Sdp.Candidate(0, 50010);
        await p.Caller.InvokeAsync("SendIceCandidate", p.CallId, candidate);
        var relayed = await fresh.WaitForEventAsync(CallEvents.IceCandidate, a => a[0].GetString() == p.CallId);
        Assert.Equal(candidate, relayed[1].To<IceCandidateInit>());

        await fresh.InvokeAsync("EndCall", p.CallId);
        await p.Caller.WaitForStateAsync(p.CallId, "Ended", "EndedRemotely");
    }

    [Fact]
    public async Task Another_connection_of_a_party_must_resume_before_it_acts()
    {
        await using var p = await Scenario.InCallAsync(server);
        await using var second = await server.ConnectAsync(p.CallerUser, "second");

        var before = await second.GetCallAsync(p.CallId);
        Assert.Equal("InCall", before.State);
        await CallEvents.AssertRefusedAsync("InvalidState", () => second.InvokeAsync("Mute", p.CallId));
        await p.Caller.AssertUnchangedAsync(before);

        await second.InvokeAsync<CallView>("ResumeCall", p.CallId);
        await second.InvokeAsync("Mute", p.CallId);
        await p.Callee.WaitForMediaAsync(p.CallId, v => v.Media.RemoteMuted);
        await second.WaitForMediaAsync(p.CallId, v => v.Media.LocalMuted);
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync("Unmute", p.CallId));
    }

    [Fact]
    public async Task A_caller_that_resumes_while_ringing_gets_the_answer_on_its_new_connection()
    {
        await using var p = await Scenario.RingingAsync(server);
        p.Caller.Abort();
        await using var fresh = await server.ConnectAsync(p.CallerUser, "fresh");
        var resumed = await fresh.InvokeAsync<CallView>("ResumeCall", p.CallId);
        Assert.Equal("Ringing", resumed.State);

        var answer = Sdp.Audio();
        await p.Callee.InvokeAsync("AcceptCall", p.CallId, answer);

        var description = await fresh.WaitForEventAsync(CallEvents.RemoteDescription, a => a[0].GetString() == p.CallId);
        Assert.Equal(answer, description[2].GetString());
        await fresh.WaitForStateAsync(p.CallId, "InCall");
        await p.Callee.WaitForStateAsync(p.CallId, "InCall");
    }

    [Fact]
    public async Task A_new_device_of_the_callee_that_resumes_a_ringing_call_rings_too()
    {
        await using var p = await Scenario.RingingAsync(server);
        await using var tablet = await server.ConnectAsync(p.CalleeUser, "tablet");

        var resumed = await tablet.InvokeAsync<CallView>("ResumeCall", p.CallId);
        Assert.Equal("Ringing", resumed.State);
        var (incoming, offer) = await tablet.WaitForIncomingCallAsync(p.CallId);
        Assert.Equal(p.Offer, offer);
        Assert.Equal(p.CallerUser.Address, incoming.RemoteAddress);

        await tablet.InvokeAsync("AcceptCall", p.CallId, Sdp.Audio());
        await p.Callee.WaitForStateAsync(p.CallId, "Ended", "AnsweredElsewhere");
        await p.Caller.WaitForStateAsync(p.CallId, "InCall");
    }
}
