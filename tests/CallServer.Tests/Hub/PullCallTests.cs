using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>
/// <c>PullCall</c> over the real hub protocol: another device of a party's account takes a live call over; the
/// other party answers the renegotiation, the old device sees the call end <c>MovedToAnotherDevice</c>, and the
/// other party's call goes on.
/// </summary>
public sealed class PullCallTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    [Fact]
    public async Task The_callers_laptop_pulls_the_call_from_its_phone_and_the_callee_never_sees_it_end()
    {
        await using var p = await Scenario.InCallAsync(server);
        await using var laptop = await server.ConnectAsync(p.CallerUser, "laptop");

        // The laptop sees the call on the account's other devices, and takes it with its own offer.
        var listed = await laptop.InvokeRawAsync("GetCallsOnOtherDevices");
        Assert.Equal("InCall", Assert.Single(listed.EnumerateArray(), c => c.Str("callId") == p.CallId).Str("state"));
        Assert.DoesNotContain((await p.Caller.InvokeRawAsync("GetCallsOnOtherDevices")).EnumerateArray(), c => c.Str("callId") == p.CallId);
        var offer = Sdp.Audio();
        var operationId = await laptop.InvokeAsync<string>("PullCall", p.CallId, offer);
        var request = await p.Callee.WaitForRenegotiationAsync(p.CallId, operationId);
        Assert.Equal(("PullCall", offer), (request.Operation, request.SdpOffer));
        Assert.Equal("InCall", (await p.Caller.GetCallAsync(p.CallId)).State); // nothing moved before the answer

        // The new connection trickles both ways while the pull waits.
        var fromLaptop = Sdp.Candidate(0, 50101);
        await laptop.InvokeAsync("SendIceCandidate", p.CallId, fromLaptop);
        Assert.Equal(fromLaptop, (await p.Callee.WaitForEventAsync(CallEvents.IceCandidate, a => a[0].GetString() == p.CallId))[1].To<IceCandidateInit>());
        var fromCallee = Sdp.Candidate(0, 50102);
        await p.Callee.InvokeAsync("SendIceCandidate", p.CallId, fromCallee);
        Assert.Equal(fromCallee, (await laptop.WaitForEventAsync(CallEvents.IceCandidate, a => a[0].GetString() == p.CallId))[1].To<IceCandidateInit>());

        var answer = Sdp.Audio();
        await p.Callee.InvokeAsync("AnswerRenegotiation", p.CallId, operationId, answer);
        var completed = await laptop.WaitForCompletionAsync(p.CallId, operationId);
        Assert.True(completed.Succeeded, completed.Error);
        Assert.Equal(("PullCall", answer), (completed.Operation, completed.SdpAnswer));
        await laptop.WaitForStateAsync(p.CallId, "InCall");
        var phone = await p.Caller.WaitForStateAsync(p.CallId, "Ended", "MovedToAnotherDevice");
        Assert.NotNull(phone.EndedAt);
        await p.Callee.AssertNoEventAsync(CallEvents.CallStatusChanged, a => a[0].Str("callId") == p.CallId && a[0].Str("state") == "Ended");

        var phoneReads = await p.Caller.GetCallAsync(p.CallId);
        Assert.Equal(("Ended", "MovedToAnotherDevice"), (phoneReads.State, phoneReads.EndReason));
        Assert.DoesNotContain((await p.Caller.InvokeRawAsync("GetActiveCalls")).EnumerateArray(), c => c.Str("callId") == p.CallId);

        // The call goes on from the laptop only.
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync("EndCall", p.CallId));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync<CallView>("ResumeCall", p.CallId));
        await Scenario.RenegotiateAsync(laptop, p.Callee, p.CallId, "HoldCall", Sdp.Audio("sendonly"), Sdp.Audio("recvonly"));
        await p.Callee.WaitForStateAsync(p.CallId, "RemotelyHeld");
        await laptop.InvokeAsync("EndCall", p.CallId);
        await p.Callee.WaitForStateAsync(p.CallId, "Ended", "EndedRemotely");
    }

    [Fact]
    public async Task A_callee_device_that_lost_the_answer_race_lists_the_call_and_pulls_it()
    {
        await using var ringing = await Scenario.RingingOnTwoDevicesAsync(server);
        await ringing.Phone.InvokeAsync("AcceptCall", ringing.Call.CallId, Sdp.Audio());
        await ringing.Laptop.WaitForStateAsync(ringing.Call.CallId, "Ended", "AnsweredElsewhere");
        await ringing.Caller.WaitForStateAsync(ringing.Call.CallId, "InCall");

        var listed = await ringing.Laptop.InvokeRawAsync("GetCallsOnOtherDevices");
        Assert.Contains(listed.EnumerateArray(), c => c.Str("callId") == ringing.Call.CallId);
        var operationId = await ringing.Laptop.InvokeAsync<string>("PullCall", ringing.Call.CallId, Sdp.Audio());
        await ringing.Caller.WaitForRenegotiationAsync(ringing.Call.CallId, operationId);
        await ringing.Caller.InvokeAsync("AnswerRenegotiation", ringing.Call.CallId, operationId, Sdp.Audio());
        await ringing.Laptop.WaitForStateAsync(ringing.Call.CallId, "InCall");
        await ringing.Phone.WaitForStateAsync(ringing.Call.CallId, "Ended", "MovedToAnotherDevice");
    }

    [Fact]
    public async Task The_callees_other_device_pulls_the_call()
    {
        await using var p = await Scenario.InCallAsync(server);
        await using var tablet = await server.ConnectAsync(p.CalleeUser, "tablet");

        var operationId = await tablet.InvokeAsync<string>("PullCall", p.CallId, Sdp.Audio());
        await p.Caller.WaitForRenegotiationAsync(p.CallId, operationId);
        await p.Caller.InvokeAsync("AnswerRenegotiation", p.CallId, operationId, Sdp.Audio());

        await tablet.WaitForCompletionAsync(p.CallId, operationId);
        await p.Callee.WaitForStateAsync(p.CallId, "Ended", "MovedToAnotherDevice");
        Assert.Equal("InCall", (await tablet.GetCallAsync(p.CallId)).State);
        Assert.Equal("InCall", (await p.Caller.GetCallAsync(p.CallId)).State);
    }

    [Fact]
    public async Task A_refused_or_impossible_pull_changes_nothing()
    {
        await using var p = await Scenario.InCallAsync(server);
        await using var laptop = await server.ConnectAsync(p.CallerUser, "laptop");
        var stranger = await server.CreateUserAsync("stranger");
        await using var strangerPhone = await server.ConnectAsync(stranger);
        var before = await p.Caller.GetCallAsync(p.CallId);

        await CallEvents.AssertRefusedAsync("CallNotFound", () => strangerPhone.InvokeAsync<string>("PullCall", p.CallId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync<string>("PullCall", p.CallId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => laptop.InvokeAsync<string>("PullCall", p.CallId, "not sdp"));
        await p.Caller.AssertUnchangedAsync(before);

        // The callee says no: the laptop hears it failed, the phone keeps the call.
        var operationId = await laptop.InvokeAsync<string>("PullCall", p.CallId, Sdp.Audio());
        await CallEvents.AssertRefusedAsync("OperationInProgress", () => p.Caller.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly")));
        await p.Callee.WaitForRenegotiationAsync(p.CallId, operationId);
        await p.Callee.InvokeAsync("RejectRenegotiation", p.CallId, operationId, "not now");
        var failed = await laptop.WaitForCompletionAsync(p.CallId, operationId);
        Assert.False(failed.Succeeded);
        Assert.StartsWith("Rejected", failed.Error, StringComparison.Ordinal);
        Assert.Equal("InCall", (await p.Caller.GetCallAsync(p.CallId)).State);
    }

    [Fact]
    public async Task An_anonymous_caller_cannot_pull_its_call_to_another_tab()
    {
        var calleeUser = await server.CreateUserAsync("support");
        await using var callee = await server.ConnectAsync(calleeUser);
        var token = await server.AnonymousTokenAsync(allowedCallees: [calleeUser.Address], displayName: "Visitor");
        await using var anonymous = await server.ConnectWithTokenAsync(token.AccessToken, "anonymous");
        await using var otherTab = await server.ConnectWithTokenAsync(token.AccessToken, "anonymous-2");
        var call = await anonymous.CreateCallAsync(calleeUser.Username);
        await anonymous.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await callee.WaitForIncomingCallAsync(call.CallId);
        await callee.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await anonymous.WaitForStateAsync(call.CallId, "InCall");

        await CallEvents.AssertRefusedAsync("Forbidden", () => otherTab.InvokeAsync<string>("PullCall", call.CallId, Sdp.Audio()));
    }

    [Fact]
    public async Task Two_devices_pulling_at_once_one_wins_the_other_is_told_an_operation_is_in_progress()
    {
        await using var p = await Scenario.InCallAsync(server);
        await using var laptop = await server.ConnectAsync(p.CallerUser, "laptop");
        await using var tablet = await server.ConnectAsync(p.CallerUser, "tablet");

        var results = await Task.WhenAll(
            Outcome(() => laptop.InvokeAsync<string>("PullCall", p.CallId, Sdp.Audio())),
            Outcome(() => tablet.InvokeAsync<string>("PullCall", p.CallId, Sdp.Audio())));

        Assert.Single(results, r => r.StartsWith("ok:", StringComparison.Ordinal));
        Assert.Single(results, r => r.StartsWith("OperationInProgress", StringComparison.Ordinal));
    }

    private static async Task<string> Outcome(Func<Task<string>> pull)
    {
        try
        {
            return "ok:" + await pull();
        }
        catch (HubErrorException refused)
        {
            return refused.Code;
        }
    }
}
