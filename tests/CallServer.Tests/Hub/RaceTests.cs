using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>Rule 14 (racing commands never both win) and rule 5's hop limit, through the hub.</summary>
public sealed class RaceTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    private static async Task<HubErrorException?> OutcomeAsync(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (HubErrorException error)
        {
            return error;
        }
    }

    [Fact]
    public async Task Two_devices_accepting_at_once_exactly_one_wins()
    {
        await using var twoDevices = await Scenario.RingingOnTwoDevicesAsync(server);
        var (callerUser, calleeUser, caller, phone, laptop, call) = twoDevices;

        var outcomes = await Task.WhenAll(
            OutcomeAsync(phone.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio())),
            OutcomeAsync(laptop.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio())));

        var failure = Assert.Single(outcomes, o => o is not null);
        Assert.Equal("InvalidState", failure!.Code);
        var winner = outcomes[0] is null ? phone : laptop;
        var loser = outcomes[0] is null ? laptop : phone;
        await winner.WaitForStateAsync(call.CallId, "InCall");
        await loser.WaitForStateAsync(call.CallId, "Ended", "AnsweredElsewhere");
        await caller.WaitForStateAsync(call.CallId, "InCall");
        var description = await caller.WaitForEventAsync(CallEvents.RemoteDescription, a => a[0].GetString() == call.CallId);
        Assert.Equal("answer", description[1].GetString());
        await caller.AssertNoEventAsync(CallEvents.RemoteDescription, window: TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Accept_racing_cancel_ends_up_consistent_on_both_sides()
    {
        await using var p = await Scenario.RingingAsync(server);

        var outcomes = await Task.WhenAll(
            OutcomeAsync(p.Callee.InvokeAsync("AcceptCall", p.CallId, Sdp.Audio())),
            OutcomeAsync(p.Caller.InvokeAsync("EndCall", p.CallId)));

        Assert.Null(outcomes[1]);
        var callerEnd = await p.Caller.WaitForStateAsync(p.CallId, "Ended", "EndedLocally");
        var calleeEnd = await p.Callee.WaitForStateAsync(p.CallId, "Ended");
        Assert.Equal(outcomes[0] is null ? "EndedRemotely" : "Canceled", calleeEnd.EndReason);
        Assert.Equal(callerEnd.Sequence, (await p.Callee.GetCallAsync(p.CallId)).Sequence);
    }

    [Fact]
    public async Task Both_parties_holding_at_once_one_gets_OperationInProgress()
    {
        await using var p = await Scenario.InCallAsync(server);

        var callerHold = p.Caller.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly"));
        var calleeHold = p.Callee.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly"));
        var outcomes = await Task.WhenAll(OutcomeAsync(callerHold), OutcomeAsync(calleeHold));

        var failure = Assert.Single(outcomes, o => o is not null);
        Assert.Equal("OperationInProgress", failure!.Code);
        var (initiator, answerer, operationId) = outcomes[0] is null ? (p.Caller, p.Callee, await callerHold) : (p.Callee, p.Caller, await calleeHold);
        await answerer.WaitForRenegotiationAsync(p.CallId, operationId);
        await answerer.InvokeAsync("AnswerRenegotiation", p.CallId, operationId, Sdp.Audio("recvonly"));
        Assert.True((await initiator.WaitForCompletionAsync(p.CallId, operationId)).Succeeded);
        await initiator.WaitForStateAsync(p.CallId, "OnHold");
        await answerer.WaitForStateAsync(p.CallId, "RemotelyHeld");
    }

    [Fact]
    public async Task A_call_is_forwarded_at_most_five_times()
    {
        await using var p = await Scenario.RingingAsync(server);
        var current = p.Callee;
        var devices = new List<HubTestClient>();
        try
        {
            for (var hop = 1; hop <= 5; hop++)
            {
                var nextUser = await server.CreateUserAsync($"hop{hop}");
                var next = await server.ConnectAsync(nextUser);
                devices.Add(next);
                await current.InvokeAsync("ForwardCall", p.CallId, nextUser.Address);
                await next.WaitForIncomingCallAsync(p.CallId);
                current = next;
            }

            var lastUser = await server.CreateUserAsync("hop6");
            var last = await server.ConnectAsync(lastUser);
            devices.Add(last);
            var before = await current.GetCallAsync(p.CallId);
            await CallEvents.AssertRefusedAsync("ForwardLoop", () => current.InvokeAsync("ForwardCall", p.CallId, lastUser.Address));
            await current.AssertUnchangedAsync(before);
            await last.AssertNoEventAsync(CallEvents.IncomingCall, window: TimeSpan.FromMilliseconds(100));

            await current.InvokeAsync("AcceptCall", p.CallId, Sdp.Audio());
            await p.Caller.WaitForStateAsync(p.CallId, "InCall");
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }
}
