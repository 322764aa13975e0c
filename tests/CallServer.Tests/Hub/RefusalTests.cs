using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>Every error code of the contract from the hub, and that a refusal changes nothing.</summary>
public sealed class RefusalTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    [Fact]
    public async Task Unknown_call_ids_are_CallNotFound_for_every_method()
    {
        var user = await server.CreateUserAsync("lonely");
        await using var client = await server.ConnectAsync(user);
        const string unknown = "0123456789abcdef0123456789abcdef";

        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.GetCallAsync(unknown));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync("EstablishCall", unknown, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync("AcceptCall", unknown, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync("RejectCall", unknown));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync("IgnoreCall", unknown));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync("ForwardCall", unknown, "someone"));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync("EndCall", unknown));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync<string>("HoldCall", unknown, Sdp.Audio("sendonly")));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync("Mute", unknown));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.InvokeAsync<CallView>("ResumeCall", unknown));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.GetCallAsync(string.Empty));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => client.GetCallAsync(new string('a', 200)));
    }

    [Fact]
    public async Task A_strangers_call_is_CallNotFound_exactly_like_an_unknown_one_and_stays_unchanged()
    {
        await using var p = await Scenario.InCallAsync(server);
        var strangerUser = await server.CreateUserAsync("stranger");
        await using var stranger = await server.ConnectAsync(strangerUser);
        var before = await p.Caller.GetCallAsync(p.CallId);

        var known = await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.GetCallAsync(p.CallId));
        var unknown = await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.GetCallAsync("ffffffffffffffffffffffffffffffff"));
        Assert.Equal(unknown.Message, known.Message);
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("EndCall", p.CallId));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("AcceptCall", p.CallId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly")));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("Mute", p.CallId));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("SendIceCandidate", p.CallId, Sdp.Candidate(0)));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync<CallView>("ResumeCall", p.CallId));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("EstablishCall", p.CallId, Sdp.Audio()));

        await p.Caller.AssertUnchangedAsync(before);
        Assert.Empty(await stranger.InvokeAsync<CallView[]>("GetActiveCalls"));
        await p.Caller.AssertNoEventAsync(CallEvents.IceCandidate, window: TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_stranger_sending_a_malformed_candidate_to_a_call_learns_nothing_about_it()
    {
        await using var p = await Scenario.InCallAsync(server);
        var strangerUser = await server.CreateUserAsync("prober");
        await using var stranger = await server.ConnectAsync(strangerUser);
        var malformed = new IceCandidateInit("not a candidate", "0", 0);
        var oversized = new IceCandidateInit("candidate:" + new string('x', 1100), "0", 0);

        var unknown = await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("SendIceCandidate", "ffffffffffffffffffffffffffffffff", malformed));
        var existing = await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("SendIceCandidate", p.CallId, malformed));
        Assert.Equal(unknown.Message, existing.Message);
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("SendIceCandidate", p.CallId, oversized));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => stranger.InvokeAsync("SendIceCandidate", p.CallId, new IceCandidateInit("candidate:1 1 udp 1 127.0.0.1 9 typ host", null, null)));
    }

    [Fact]
    public async Task The_caller_may_not_act_as_the_callee_Forbidden()
    {
        await using var p = await Scenario.RingingAsync(server);
        var before = await p.Caller.GetCallAsync(p.CallId);

        await CallEvents.AssertRefusedAsync("Forbidden", () => p.Caller.InvokeAsync("AcceptCall", p.CallId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("Forbidden", () => p.Caller.InvokeAsync("RejectCall", p.CallId));
        await CallEvents.AssertRefusedAsync("Forbidden", () => p.Caller.InvokeAsync("IgnoreCall", p.CallId));
        await CallEvents.AssertRefusedAsync("Forbidden", () => p.Caller.InvokeAsync("ForwardCall", p.CallId, p.CalleeUser.Address));

        await p.Caller.AssertUnchangedAsync(before);
        Assert.Equal("Ringing", (await p.Callee.GetCallAsync(p.CallId)).State);
    }

    [Fact]
    public async Task A_caller_has_at_most_ten_calls_in_progress()
    {
        var callerUser = await server.CreateUserAsync("busy");
        var calleeUser = await server.CreateUserAsync("popular");
        await using var caller = await server.ConnectAsync(callerUser);
        var calls = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            calls.Add((await caller.CreateCallAsync(calleeUser.Address)).CallId);
        }

        await CallEvents.AssertRefusedAsync("RateLimited", () => caller.InvokeAsync("CreateOutgoingCall", calleeUser.Address));
        await caller.InvokeAsync("EndCall", calls[0]);
        Assert.Equal("Initial", (await caller.CreateCallAsync(calleeUser.Address)).State);
    }

    [Fact]
    public async Task Forty_simultaneous_creates_of_one_caller_on_four_devices_create_exactly_ten_calls()
    {
        var callerUser = await server.CreateUserAsync("burst");
        var calleeUser = await server.CreateUserAsync("target");
        var devices = new List<HubTestClient>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var device = await server.ConnectAsync(callerUser, $"device-{i}");
                await device.InvokeAsync("GetActiveCalls");
                devices.Add(device);
            }

            var attempts = Enumerable.Range(0, 40).Select(async i =>
            {
                try
                {
                    return (await devices[i % devices.Count].CreateCallAsync(calleeUser.Address)).CallId;
                }
                catch (HubErrorException refused) when (refused.Code == "RateLimited")
                {
                    return null;
                }
            });
            var created = (await Task.WhenAll(attempts)).OfType<string>().ToList();

            Assert.Equal(10, created.Count);
            var active = await devices[0].InvokeAsync<JsonElement>("GetActiveCalls");
            Assert.Equal(10, active.GetArrayLength());
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Out_of_order_commands_are_refused_and_change_nothing()
    {
        await using var p = await Scenario.ConnectedAsync(server);
        var created = await p.Caller.CreateCallAsync(p.CalleeUser.Address);

        // Initial: nothing rings yet, nothing is in progress; the callee does not know the call yet.
        await CallEvents.AssertRefusedAsync("CallNotFound", () => p.Callee.InvokeAsync("AcceptCall", created.CallId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync("SendIceCandidate", created.CallId, Sdp.Candidate(0)));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync<string>("HoldCall", created.CallId, Sdp.Audio("sendonly")));
        await p.Caller.AssertUnchangedAsync(created);

        await p.Caller.InvokeAsync("EstablishCall", created.CallId, Sdp.Audio());
        await p.Callee.WaitForIncomingCallAsync(created.CallId);
        var ringing = await p.Caller.WaitForStateAsync(created.CallId, "Ringing");

        // Ringing: no second establish, no operations, no mute.
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync("EstablishCall", created.CallId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync<string>("HoldCall", created.CallId, Sdp.Audio("sendonly")));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync<string>("VideoStart", created.CallId, Sdp.Video()));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync("Mute", created.CallId));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("EstablishCall", created.CallId, Sdp.Audio()));
        await p.Caller.AssertUnchangedAsync(ringing);

        await p.Callee.InvokeAsync("AcceptCall", created.CallId, Sdp.Audio());
        var inCall = await p.Caller.WaitForStateAsync(created.CallId, "InCall");

        // In a call: nothing rings any more.
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("AcceptCall", created.CallId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("RejectCall", created.CallId));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("IgnoreCall", created.CallId));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("ForwardCall", created.CallId, "someone"));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("AnswerRenegotiation", created.CallId, "no-such-operation", Sdp.Audio()));
        await p.Caller.AssertUnchangedAsync(inCall);
    }

    [Fact]
    public async Task Bad_addresses_CalleeNotFound_InvalidAddress_InvalidArgument_and_Forbidden()
    {
        var user = await server.CreateUserAsync("dialer");
        await using var client = await server.ConnectAsync(user);

        await CallEvents.AssertRefusedAsync("CalleeNotFound", () => client.CreateCallAsync("nobody-" + CallServerFixture.Suffix()));
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => client.CreateCallAsync("not an address!"));
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => client.CreateCallAsync("tel:12ab"));
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => client.CreateCallAsync(string.Empty));
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => client.InvokeAsync<CallView>("CreateOutgoingCall", [null]));
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => client.CreateCallAsync(new string('a', 250) + "@example.com"));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => client.CreateCallAsync(user.Address));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => client.CreateCallAsync(user.Username.ToUpperInvariant()));
        await CallEvents.AssertRefusedAsync("Forbidden", () => client.CreateCallAsync("anonymous-0123abcd@" + CallServerFixture.Domain));

        Assert.Empty(await client.InvokeAsync<CallView[]>("GetActiveCalls"));
    }

    [Fact]
    public async Task A_telephone_call_while_the_gateway_has_no_device_ends_Unavailable()
    {
        var callerUser = await server.CreateUserAsync("phoner", "+15550100888");
        await using var caller = await server.ConnectAsync(callerUser);
        var call = await caller.CreateCallAsync("tel:+15557654321");

        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());

        var ended = await caller.WaitForStateAsync(call.CallId, "Ended", "Unavailable");
        Assert.Equal(480, ended.StatusCode);
    }

    [Fact]
    public async Task Bad_sdp_is_InvalidSdp_or_PayloadTooLarge_and_changes_nothing()
    {
        await using var p = await Scenario.ConnectedAsync(server);
        var created = await p.Caller.CreateCallAsync(p.CalleeUser.Address);

        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Caller.InvokeAsync("EstablishCall", created.CallId, "hello"));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Caller.InvokeAsync("EstablishCall", created.CallId, string.Empty));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Caller.InvokeAsync("EstablishCall", created.CallId, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Caller.InvokeAsync("EstablishCall", created.CallId, "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n"));
        var tooLarge = Sdp.Padded((64 * 1024) + 100);
        Assert.True(tooLarge.Length > 64 * 1024);
        await CallEvents.AssertRefusedAsync("PayloadTooLarge", () => p.Caller.InvokeAsync("EstablishCall", created.CallId, tooLarge));
        await p.Caller.AssertUnchangedAsync(created);
        await p.Callee.AssertNoEventAsync(CallEvents.IncomingCall, window: TimeSpan.FromMilliseconds(100));

        // Just under the limit is accepted.
        await p.Caller.InvokeAsync("EstablishCall", created.CallId, Sdp.Padded((64 * 1024) - 100));
        var (incoming, _) = await p.Callee.WaitForIncomingCallAsync(created.CallId);
        var ringing = await p.Caller.WaitForStateAsync(created.CallId, "Ringing");

        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Callee.InvokeAsync("AcceptCall", created.CallId, "m=audio 9 RTP/AVP 0"));
        await CallEvents.AssertRefusedAsync("PayloadTooLarge", () => p.Callee.InvokeAsync("AcceptCall", created.CallId, tooLarge));
        await p.Caller.AssertUnchangedAsync(ringing);
        var calleeView = await p.Callee.GetCallAsync(created.CallId);
        Assert.Equal("Ringing", calleeView.State);
        Assert.Equal(ringing.Sequence, calleeView.Sequence);
        Assert.True(calleeView.Sequence >= incoming.Sequence);
    }

    [Fact]
    public async Task Bad_candidates_are_InvalidArgument_or_PayloadTooLarge_and_are_not_relayed()
    {
        await using var p = await Scenario.InCallAsync(server);
        var before = await p.Caller.GetCallAsync(p.CallId);

        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("SendIceCandidate", p.CallId, null));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("SendIceCandidate", p.CallId, new IceCandidateInit("candidate:1 1 udp 1 127.0.0.1 9 typ host", null, null)));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("SendIceCandidate", p.CallId, new IceCandidateInit("not a candidate", "0", 0)));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("SendIceCandidate", p.CallId, new IceCandidateInit("candidate:1 1 udp 1 127.0.0.1 9 typ host", "0", -1)));
        await CallEvents.AssertRefusedAsync("PayloadTooLarge", () => p.Caller.InvokeAsync("SendIceCandidate", p.CallId, new IceCandidateInit("candidate:" + new string('x', 1100), "0", 0)));

        // A number outside 32 bits binds, and is refused with a code rather than failing the invocation.
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("SendIceCandidate", p.CallId, new { candidate = "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid = "0", sdpMLineIndex = 2147483648L }));

        await p.Caller.AssertUnchangedAsync(before);
        await p.Callee.AssertNoEventAsync(CallEvents.IceCandidate, window: TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Forward_refusals_ForwardLoop_CalleeUnavailable_CalleeNotFound_InvalidAddress_leave_the_call_ringing()
    {
        await using var p = await Scenario.RingingAsync(server);
        var offline = await server.CreateUserAsync("offline");
        var before = await p.Caller.GetCallAsync(p.CallId);

        await CallEvents.AssertRefusedAsync("ForwardLoop", () => p.Callee.InvokeAsync("ForwardCall", p.CallId, p.CallerUser.Address));
        await CallEvents.AssertRefusedAsync("ForwardLoop", () => p.Callee.InvokeAsync("ForwardCall", p.CallId, p.CalleeUser.Username));
        await CallEvents.AssertRefusedAsync("CalleeUnavailable", () => p.Callee.InvokeAsync("ForwardCall", p.CallId, offline.Address));
        await CallEvents.AssertRefusedAsync("CalleeNotFound", () => p.Callee.InvokeAsync("ForwardCall", p.CallId, "nobody-" + CallServerFixture.Suffix()));
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => p.Callee.InvokeAsync("ForwardCall", p.CallId, "tel:+15551234567"));
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => p.Callee.InvokeAsync("ForwardCall", p.CallId, "no way"));

        await p.Caller.AssertUnchangedAsync(before);
        Assert.Equal("Ringing", (await p.Callee.GetCallAsync(p.CallId)).State);
    }

    [Fact]
    public async Task Forwarding_back_along_the_chain_is_a_ForwardLoop()
    {
        await using var p = await Scenario.RingingAsync(server);
        var secondUser = await server.CreateUserAsync("second");
        await using var second = await server.ConnectAsync(secondUser);
        await p.Callee.InvokeAsync("ForwardCall", p.CallId, secondUser.Address);
        await second.WaitForIncomingCallAsync(p.CallId);
        var forwarded = await p.Caller.WaitForEventAsync(
            CallEvents.CallStatusChanged,
            a => a[0].Str("callId") == p.CallId && a[0].Str("remoteAddress") == secondUser.Address && a[0].Str("state") == "Ringing");

        await CallEvents.AssertRefusedAsync("ForwardLoop", () => second.InvokeAsync("ForwardCall", p.CallId, p.CalleeUser.Address));
        await p.Caller.AssertUnchangedAsync(forwarded.Snapshot());

        // The user the call was forwarded away from can no longer act on it.
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("AcceptCall", p.CallId, Sdp.Audio()));
    }

    [Fact]
    public async Task A_message_above_the_hub_receive_limit_closes_the_connection()
    {
        var user = await server.CreateUserAsync("flooder");
        await using var client = await RawHubSocket.ConnectAsync(server.ServerAddress, user.Token);
        var huge = new string('x', 200 * 1024);
        await client.SendAsync($"{{\"type\":1,\"invocationId\":\"big\",\"target\":\"GetCall\",\"arguments\":[\"{huge}\"]}}");

        var closed = await client.Closed.WaitAsync(HubTestClient.DefaultTimeout);
        Assert.NotNull(closed);

        // The server itself goes on.
        await using var again = await server.ConnectAsync(user, "again");
        Assert.Empty(await again.InvokeAsync<CallView[]>("GetActiveCalls"));
    }
}
