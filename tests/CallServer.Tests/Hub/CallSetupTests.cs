using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>Setting calls up over the hub: create, establish, ring, accept, reject, ignore, forward, cancel.</summary>
public sealed class CallSetupTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    public static TheoryData<string, string> SeedOffers => new()
    {
        { "video", "Video" },
        { "audio+inactive video", "AudioWithInactiveVideo" },
        { "audio", "Audio" },
    };

    private static string OfferOf(string name) => name switch
    {
        "video" => Sdp.Video(),
        "audio+inactive video" => Sdp.AudioWithInactiveVideo(),
        _ => Sdp.Audio(),
    };

    [Theory]
    [MemberData(nameof(SeedOffers))]
    public async Task Establish_with_each_seed_offer_rings_the_callee_and_records_the_offer_kind(string offerName, string offerKind)
    {
        await using var parties = await Scenario.ConnectedAsync(server);
        var offer = OfferOf(offerName);

        var created = await parties.Caller.CreateCallAsync(parties.CalleeUser.Username);
        Assert.Equal("Initial", created.State);
        Assert.Equal("outgoing", created.Direction);
        Assert.Equal(parties.CallerUser.Address, created.LocalAddress);
        Assert.Equal(parties.CalleeUser.Address, created.RemoteAddress);
        Assert.Null(created.OfferKind);
        Assert.Null(created.EndReason);
        Assert.True(created.Media.Audio);

        await parties.Caller.InvokeAsync("EstablishCall", created.CallId, offer);

        var dialing = await parties.Caller.WaitForStateAsync(created.CallId, "Dialing");
        var ringing = await parties.Caller.WaitForStateAsync(created.CallId, "Ringing");
        Assert.True(ringing.Sequence > dialing.Sequence);
        Assert.True(dialing.Sequence > created.Sequence);
        Assert.Equal(offerKind, ringing.OfferKind);
        Assert.Equal(offerName == "video", ringing.Media.LocalVideo);

        var (incoming, incomingOffer) = await parties.Callee.WaitForIncomingCallAsync(created.CallId);
        Assert.Equal(offer, incomingOffer);
        Assert.Equal("incoming", incoming.Direction);
        Assert.Equal("Ringing", incoming.State);
        Assert.Equal(parties.CalleeUser.Address, incoming.LocalAddress);
        Assert.Equal(parties.CallerUser.Address, incoming.RemoteAddress);
        Assert.Equal(offerKind, incoming.OfferKind);
        Assert.Equal(offerName == "video", incoming.Media.RemoteVideo);

        var snapshot = await parties.Caller.GetCallAsync(created.CallId);
        Assert.Equal(offerKind, snapshot.OfferKind);
    }

    [Fact]
    public async Task Snapshot_enumerations_travel_as_strings()
    {
        await using var parties = await Scenario.ConnectedAsync(server);
        var created = await parties.Caller.InvokeRawAsync("CreateOutgoingCall", parties.CalleeUser.Address);

        Assert.Equal(JsonValueKind.String, created.GetProperty("state").ValueKind);
        Assert.Equal("Initial", created.GetProperty("state").GetString());
        Assert.Equal("outgoing", created.GetProperty("direction").GetString());
        Assert.Equal(JsonValueKind.Number, created.GetProperty("sequence").ValueKind);
        Assert.True(created.TryGetProperty("media", out var media));
        foreach (var flag in new[] { "audio", "video", "localVideo", "remoteVideo", "localMuted", "remoteMuted" })
        {
            Assert.True(media.TryGetProperty(flag, out _), $"media.{flag} is missing");
        }
    }

    [Fact]
    public async Task Accept_on_one_of_two_devices_ends_the_other_with_AnsweredElsewhere_and_connects_both_parties()
    {
        var callerUser = await server.CreateUserAsync("caller");
        var calleeUser = await server.CreateUserAsync("callee");
        await using var caller = await server.ConnectAsync(callerUser);
        await using var phone = await server.ConnectAsync(calleeUser, "phone");
        await using var laptop = await server.ConnectAsync(calleeUser, "laptop");

        var call = await caller.CreateCallAsync(calleeUser.Address);
        var offer = Sdp.Video();
        await caller.InvokeAsync("EstablishCall", call.CallId, offer);
        await caller.WaitForStateAsync(call.CallId, "Dialing");
        await caller.WaitForStateAsync(call.CallId, "Ringing");
        Assert.Equal(offer, (await phone.WaitForIncomingCallAsync(call.CallId)).Offer);
        Assert.Equal(offer, (await laptop.WaitForIncomingCallAsync(call.CallId)).Offer);

        var answer = Sdp.Video();
        await laptop.InvokeAsync("AcceptCall", call.CallId, answer);

        var elsewhere = await phone.WaitForStateAsync(call.CallId, "Ended", "AnsweredElsewhere");
        Assert.Equal(9904, elsewhere.StatusCode);
        var description = await caller.WaitForEventAsync(CallEvents.RemoteDescription, a => a[0].GetString() == call.CallId);
        Assert.Equal("answer", description[1].GetString());
        Assert.Equal(answer, description[2].GetString());
        await laptop.WaitForStateAsync(call.CallId, "Answering");
        var calleeInCall = await laptop.WaitForStateAsync(call.CallId, "InCall");
        var callerInCall = await caller.WaitForStateAsync(call.CallId, "InCall");
        Assert.NotNull(callerInCall.AnsweredAt);
        Assert.True(callerInCall.Media.LocalVideo);
        Assert.True(callerInCall.Media.RemoteVideo);
        Assert.True(calleeInCall.Media.Video);

        // The device that lost the race can no longer act on the call.
        await CallEvents.AssertRefusedAsync("InvalidState", () => phone.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio()));
        Assert.Equal("Ended", (await phone.GetCallAsync(call.CallId)).State);
        Assert.Equal("InCall", (await laptop.GetCallAsync(call.CallId)).State);
    }

    [Fact]
    public async Task Ice_candidates_flow_both_ways_and_early_caller_candidates_reach_the_accepting_device()
    {
        await using var parties = await Scenario.RingingAsync(server);
        var early = Sdp.Candidate(0, 50001);
        await parties.Caller.InvokeAsync("SendIceCandidate", parties.CallId, early);
        await parties.Callee.AssertNoEventAsync(CallEvents.IceCandidate);

        await parties.Callee.InvokeAsync("AcceptCall", parties.CallId, Sdp.Audio());
        var handed = await parties.Callee.WaitForEventAsync(CallEvents.IceCandidate, a => a[0].GetString() == parties.CallId);
        Assert.Equal(early, handed[1].To<IceCandidateInit>());
        await parties.Caller.WaitForStateAsync(parties.CallId, "InCall");

        var fromCaller = Sdp.Candidate(0, 50002);
        await parties.Caller.InvokeAsync("SendIceCandidate", parties.CallId, fromCaller);
        var relayed = await parties.Callee.WaitForEventAsync(CallEvents.IceCandidate, a => a[1].Str("candidate") == fromCaller.Candidate);
        Assert.Equal(fromCaller, relayed[1].To<IceCandidateInit>());

        var fromCallee = Sdp.Candidate(0, 50003);
        await parties.Callee.InvokeAsync("SendIceCandidate", parties.CallId, fromCallee);
        var toCaller = await parties.Caller.WaitForEventAsync(CallEvents.IceCandidate, a => a[0].GetString() == parties.CallId);
        Assert.Equal(fromCallee, toCaller[1].To<IceCandidateInit>());
    }

    [Fact]
    public async Task Callee_candidates_sent_while_answering_reach_the_caller()
    {
        await using var parties = await Scenario.InCallAsync(server);
        var endOfCandidates = new IceCandidateInit(string.Empty, "0", 0);
        await parties.Callee.InvokeAsync("SendIceCandidate", parties.CallId, endOfCandidates);
        var relayed = await parties.Caller.WaitForEventAsync(CallEvents.IceCandidate, a => a[0].GetString() == parties.CallId);
        Assert.Equal(endOfCandidates, relayed[1].To<IceCandidateInit>());
    }

    [Fact]
    public async Task Reject_ends_the_call_for_the_caller_and_every_callee_device()
    {
        await using var twoDevices = await Scenario.RingingOnTwoDevicesAsync(server);
        var (callerUser, calleeUser, caller, phone, laptop, call) = twoDevices;
        await caller.WaitForStateAsync(call.CallId, "Ringing");

        await phone.InvokeAsync("RejectCall", call.CallId);

        var callerEnd = await caller.WaitForStateAsync(call.CallId, "Ended", "Rejected");
        Assert.Equal(603, callerEnd.StatusCode);
        Assert.NotNull(callerEnd.EndedAt);
        var rejecter = await phone.WaitForStateAsync(call.CallId, "Ended", "Rejected");
        Assert.Equal(9902, rejecter.StatusCode);
        var other = await laptop.WaitForStateAsync(call.CallId, "Ended");
        Assert.NotNull(other.EndReason);
        Assert.Empty(await caller.InvokeAsync<CallView[]>("GetActiveCalls"));
    }

    [Fact]
    public async Task Ignore_stops_ringing_on_that_device_only_the_caller_is_not_told_and_another_device_may_answer()
    {
        await using var twoDevices = await Scenario.RingingOnTwoDevicesAsync(server);
        var (callerUser, calleeUser, caller, phone, laptop, call) = twoDevices;
        var ringing = await caller.WaitForStateAsync(call.CallId, "Ringing");

        await phone.InvokeAsync("IgnoreCall", call.CallId);

        var ignored = await phone.WaitForStateAsync(call.CallId, "Ended", "Ignored");
        Assert.Equal(9903, ignored.StatusCode);
        Assert.Equal("Ringing", (await laptop.GetCallAsync(call.CallId)).State);
        Assert.Equal("Ringing", (await caller.GetCallAsync(call.CallId)).State);
        await caller.AssertNoEventAsync(
            CallEvents.CallStatusChanged, a => a[0].Str("callId") == call.CallId && a.Snapshot().Sequence > ringing.Sequence, TimeSpan.FromMilliseconds(200));
        await CallEvents.AssertRefusedAsync("InvalidState", () => phone.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio()));

        await laptop.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await caller.WaitForStateAsync(call.CallId, "InCall");
        await laptop.WaitForStateAsync(call.CallId, "InCall");
        await phone.AssertNoEventAsync(CallEvents.CallStatusChanged, a => a[0].Str("callId") == call.CallId, TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Forward_rings_the_target_with_the_original_offer_and_the_caller_sees_the_new_remote_address()
    {
        var offer = Sdp.AudioWithInactiveVideo();
        await using var parties = await Scenario.RingingAsync(server, offer);
        var targetUser = await server.CreateUserAsync("target");
        await using var target = await server.ConnectAsync(targetUser);

        await parties.Callee.InvokeAsync("ForwardCall", parties.CallId, targetUser.Username);

        var forwarded = await parties.Callee.WaitForStateAsync(parties.CallId, "Ended", "Forwarded");
        Assert.Equal(9908, forwarded.StatusCode);
        Assert.Equal(parties.CalleeUser.Address, forwarded.LocalAddress);
        Assert.Equal(parties.CallerUser.Address, forwarded.RemoteAddress);
        Assert.Equal("incoming", forwarded.Direction);
        var (incoming, incomingOffer) = await target.WaitForIncomingCallAsync(parties.CallId);
        Assert.Equal(offer, incomingOffer);
        Assert.Equal(parties.CallerUser.Address, incoming.RemoteAddress);
        Assert.Equal(targetUser.Address, incoming.LocalAddress);
        var callerView = await parties.Caller.WaitForEventAsync(
            CallEvents.CallStatusChanged,
            a => a[0].Str("callId") == parties.CallId && a[0].Str("remoteAddress") == targetUser.Address);
        Assert.NotEqual("Ended", callerView.Snapshot().State);
        Assert.Equal("Ringing", (await parties.Caller.GetCallAsync(parties.CallId)).State);

        await target.InvokeAsync("AcceptCall", parties.CallId, Sdp.Audio());
        var connected = await parties.Caller.WaitForStateAsync(parties.CallId, "InCall");
        Assert.Equal(targetUser.Address, connected.RemoteAddress);
        var targetView = await target.WaitForStateAsync(parties.CallId, "InCall");
        Assert.Equal(targetUser.Address, targetView.LocalAddress);

        // The forwarder still sees the call as it ended for it, as its own.
        var forwarderView = await parties.Callee.GetCallAsync(parties.CallId);
        Assert.Equal("Ended", forwarderView.State);
        Assert.Equal("Forwarded", forwarderView.EndReason);
        Assert.Equal(parties.CalleeUser.Address, forwarderView.LocalAddress);
        Assert.Empty(await parties.Callee.InvokeAsync<CallView[]>("GetActiveCalls"));
        var targetActive = Assert.Single(await target.InvokeAsync<CallView[]>("GetActiveCalls"));
        Assert.Equal(parties.CallId, targetActive.CallId);
        Assert.Equal("InCall", targetActive.State);

        // Nor does it learn what happens after it left: not when the target answered, not its mute.
        Assert.Null(forwarderView.AnsweredAt);
        await target.InvokeAsync("Mute", parties.CallId);
        await parties.Caller.WaitForEventAsync(CallEvents.MediaAttributesChanged, e => e[0].Str("callId") == parties.CallId && e[0].GetProperty("media").GetProperty("remoteMuted").GetBoolean());
        var forwarderLater = await parties.Callee.GetCallAsync(parties.CallId);
        Assert.Null(forwarderLater.AnsweredAt);
        Assert.False(forwarderLater.Media.LocalMuted);
        Assert.False(forwarderLater.Media.RemoteMuted);
    }

    [Fact]
    public async Task Caller_ending_a_ringing_call_cancels_it_on_every_callee_device()
    {
        await using var twoDevices = await Scenario.RingingOnTwoDevicesAsync(server);
        var (callerUser, calleeUser, caller, phone, laptop, call) = twoDevices;

        await caller.InvokeAsync("EndCall", call.CallId);

        var callerEnd = await caller.WaitForStateAsync(call.CallId, "Ended", "EndedLocally");
        Assert.Equal(9901, callerEnd.StatusCode);
        var phoneEnd = await phone.WaitForStateAsync(call.CallId, "Ended", "Canceled");
        Assert.Equal(487, phoneEnd.StatusCode);
        await laptop.WaitForStateAsync(call.CallId, "Ended", "Canceled");
    }

    [Fact]
    public async Task Callee_without_a_connected_device_ends_the_call_as_Unavailable()
    {
        var callerUser = await server.CreateUserAsync("caller");
        var calleeUser = await server.CreateUserAsync("offline");
        await using var caller = await server.ConnectAsync(callerUser);
        var call = await caller.CreateCallAsync(calleeUser.Address);

        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());

        var ended = await caller.WaitForStateAsync(call.CallId, "Ended", "Unavailable");
        Assert.Equal(480, ended.StatusCode);
    }

    [Fact]
    public async Task Calling_a_telephone_number_rings_the_gateway_device_for_a_caller_with_a_number()
    {
        var callerUser = await server.CreateUserAsync("phoner", "+15550100777");
        await using var caller = await server.ConnectAsync(callerUser);
        await using var gateway = await server.ConnectAsync(server.Gateway, "gateway");

        var call = await caller.CreateCallAsync("tel:+15551234567");
        Assert.Equal("tel:+15551234567", call.RemoteAddress);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());

        var (incoming, _) = await gateway.WaitForIncomingCallAsync(call.CallId);
        Assert.Equal(callerUser.Address, incoming.RemoteAddress);
        await caller.WaitForStateAsync(call.CallId, "Ringing");
        await gateway.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        var connected = await caller.WaitForStateAsync(call.CallId, "InCall");
        Assert.Equal("tel:+15551234567", connected.RemoteAddress);
        await caller.InvokeAsync("EndCall", call.CallId);
        await gateway.WaitForStateAsync(call.CallId, "Ended", "EndedRemotely");
    }

    [Fact]
    public async Task Calling_a_telephone_number_is_forbidden_for_a_caller_without_one()
    {
        var callerUser = await server.CreateUserAsync("nonumber");
        await using var caller = await server.ConnectAsync(callerUser);
        await CallEvents.AssertRefusedAsync("Forbidden", () => caller.CreateCallAsync("tel:+15551234567"));
        Assert.Empty(await caller.InvokeAsync<CallView[]>("GetActiveCalls"));
    }
}
