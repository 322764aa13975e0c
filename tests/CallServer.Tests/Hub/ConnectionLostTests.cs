using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>Rule 12's grace running out, on a server with a short grace and a long ring timeout.</summary>
public sealed class ConnectionLostTests(ShortGraceFixture server) : IClassFixture<ShortGraceFixture>
{
    [Fact]
    public async Task A_party_that_does_not_come_back_within_the_grace_ends_the_call_with_ConnectionLost()
    {
        await using var p = await Scenario.InCallAsync(server);
        p.Caller.Abort();

        var lost = await p.Callee.WaitForStateAsync(p.CallId, "Ended", "ConnectionLost", server.ReconnectGrace * 5);
        Assert.Equal(9906, lost.StatusCode);

        await using var late = await server.ConnectAsync(p.CallerUser, "late");
        await CallEvents.AssertRefusedAsync("InvalidState", () => late.InvokeAsync<CallView>("ResumeCall", p.CallId));
        var snapshot = await late.GetCallAsync(p.CallId);
        Assert.Equal("Ended", snapshot.State);
        Assert.Equal("ConnectionLost", snapshot.EndReason);
        Assert.Empty(await late.InvokeAsync<CallView[]>("GetActiveCalls"));
    }

    [Fact]
    public async Task A_caller_that_drops_while_ringing_and_does_not_come_back_stops_the_ringing_with_ConnectionLost()
    {
        await using var p = await Scenario.RingingAsync(server);
        p.Caller.Abort();

        var lost = await p.Callee.WaitForStateAsync(p.CallId, "Ended", "ConnectionLost", server.ReconnectGrace * 5);
        Assert.Equal(9906, lost.StatusCode);
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("AcceptCall", p.CallId, Sdp.Audio()));
    }
}
