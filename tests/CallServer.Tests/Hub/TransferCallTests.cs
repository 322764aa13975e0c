using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>
/// <c>TransferCall</c> and <c>ConsultativeTransfer</c> over the real hub protocol: the transferee is asked to
/// place the new call (<c>TransferRequested</c>), the transferor hears <c>TransferProgress</c>, the old call ends
/// <c>Transferred</c> when the target answers and stays held when it does not; a refused transfer changes
/// nothing and leaves no call behind.
/// </summary>
public sealed class TransferCallTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    [Fact]
    public async Task Bob_transfers_alice_to_carol_blind_alice_places_the_call_carol_answers_and_the_old_call_ends_Transferred()
    {
        await using var p = await Scenario.InCallAsync(server);
        var carolUser = await server.CreateUserAsync("carol");
        await using var carol = await server.ConnectAsync(carolUser);

        var newCallId = await p.Callee.InvokeAsync<string>("TransferCall", p.CallId, carolUser.Address);
        var requested = await p.Caller.WaitForEventAsync(CallEvents.TransferRequested, a => a[0].GetString() == p.CallId);
        Assert.Equal((newCallId, carolUser.Address, p.CalleeUser.Address), (requested[1].GetString(), requested[2].GetString(), requested[3].GetString()));
        Assert.Null(await p.Callee.WaitForTransferProgressAsync(p.CallId, "Trying"));
        await p.Caller.WaitForStateAsync(p.CallId, "RemotelyHeld");
        await p.Callee.WaitForStateAsync(p.CallId, "OnHold");

        // Alice's device places the new call with its own offer; carol rings; bob hears Ringing.
        await p.Caller.InvokeAsync("EstablishCall", newCallId, Sdp.Audio());
        var (incoming, _) = await carol.WaitForIncomingCallAsync(newCallId);
        Assert.Equal((p.CallerUser.Address, p.CalleeUser.Address, (string?)null), (incoming.RemoteAddress, incoming.TransferredBy, incoming.ReplacesCallId));
        await p.Callee.WaitForTransferProgressAsync(p.CallId, "Ringing");
        var placed = await p.Caller.GetCallAsync(newCallId);
        Assert.Equal((p.CalleeUser.Address, p.CallId), (placed.TransferredBy, placed.ReplacesCallId));

        await carol.InvokeAsync("AcceptCall", newCallId, Sdp.Audio());
        await p.Caller.WaitForStateAsync(newCallId, "InCall");
        Assert.Null(await p.Callee.WaitForTransferProgressAsync(p.CallId, "Succeeded"));
        var old = await p.Caller.WaitForStateAsync(p.CallId, "Ended", "Transferred");
        Assert.Equal(9905, old.StatusCode);
        await p.Callee.WaitForStateAsync(p.CallId, "Ended", "Transferred");

        // Alice and carol go on; bob has no call left.
        Assert.Empty((await p.Callee.InvokeRawAsync("GetActiveCalls")).EnumerateArray());
        Assert.Equal([newCallId], (await p.Caller.InvokeRawAsync("GetActiveCalls")).EnumerateArray().Select(c => c.Str("callId")));
        await p.Caller.InvokeAsync("Mute", newCallId);
        await carol.WaitForMediaAsync(newCallId, c => c.Media.RemoteMuted);

        // The histories say where each call went: bob's old call to carol's, the new one from bob's.
        await carol.InvokeAsync("EndCall", newCallId);
        var bobsEntry = await HistoryEntryAsync(p.CalleeUser, p.CallId);
        Assert.Equal(("Transferred", newCallId, carolUser.Address), (bobsEntry.Str("endReason"), bobsEntry.GetProperty("transferredTo").Str("callId"), bobsEntry.GetProperty("transferredTo").Str("target")));
        var carolsEntry = await HistoryEntryAsync(carolUser, newCallId);
        Assert.Equal((p.CallId, p.CalleeUser.Address), (carolsEntry.GetProperty("transferredFrom").Str("callId"), carolsEntry.GetProperty("transferredFrom").Str("transferredBy")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, carolsEntry.GetProperty("transferredTo").ValueKind);
    }

    /// <summary>The entry of <paramref name="callId"/> in <paramref name="user"/>'s history, once it is written (the history outbox).</summary>
    private async Task<System.Text.Json.JsonElement> HistoryEntryAsync(TestUser user, string callId)
    {
        System.Text.Json.JsonElement? found = null;
        await Poll.UntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/call-history");
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.Token);
                using var response = await server.Http.SendAsync(request);
                var entries = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
                found = entries.EnumerateArray().Where(e => e.Str("callId") == callId).Cast<System.Text.Json.JsonElement?>().FirstOrDefault();
                return found is not null;
            },
            $"{user.Username}'s history has call {callId}");
        return found!.Value;
    }

    [Fact]
    public async Task Carol_rejects_the_transfer_fails_with_the_reason_and_bob_unholds_the_call_he_still_has()
    {
        await using var p = await Scenario.InCallAsync(server);
        var carolUser = await server.CreateUserAsync("carol");
        await using var carol = await server.ConnectAsync(carolUser);

        var newCallId = await p.Callee.InvokeAsync<string>("TransferCall", p.CallId, carolUser.Address);
        await p.Caller.WaitForEventAsync(CallEvents.TransferRequested, a => a[0].GetString() == p.CallId);
        await p.Caller.InvokeAsync("EstablishCall", newCallId, Sdp.Audio());
        await carol.WaitForIncomingCallAsync(newCallId);
        await carol.InvokeAsync("RejectCall", newCallId);

        Assert.Equal("Rejected", await p.Callee.WaitForTransferProgressAsync(p.CallId, "Failed"));
        await p.Caller.WaitForStateAsync(newCallId, "Ended", "Rejected");
        Assert.Equal("OnHold", (await p.Callee.GetCallAsync(p.CallId)).State);
        await Scenario.RenegotiateAsync(p.Callee, p.Caller, p.CallId, "UnholdCall", Sdp.Audio(), Sdp.Audio());
        await p.Caller.WaitForStateAsync(p.CallId, "InCall");
    }

    [Fact]
    public async Task The_transferee_that_drops_the_new_call_fails_the_transfer()
    {
        await using var p = await Scenario.InCallAsync(server);
        var carolUser = await server.CreateUserAsync("carol");

        var newCallId = await p.Callee.InvokeAsync<string>("TransferCall", p.CallId, carolUser.Address);
        await p.Caller.WaitForEventAsync(CallEvents.TransferRequested, a => a[0].GetString() == p.CallId);
        await p.Caller.InvokeAsync("EndCall", newCallId);

        Assert.Equal("Canceled", await p.Callee.WaitForTransferProgressAsync(p.CallId, "Failed"));
        Assert.Equal("RemotelyHeld", (await p.Caller.GetCallAsync(p.CallId)).State);
    }

    [Fact]
    public async Task A_refused_transfer_changes_nothing_and_leaves_no_new_call()
    {
        await using var p = await Scenario.InCallAsync(server);
        var carolUser = await server.CreateUserAsync("carol");
        var stranger = await server.CreateUserAsync("stranger");
        await using var strangerPhone = await server.ConnectAsync(stranger);
        var before = await p.Caller.GetCallAsync(p.CallId);

        await CallEvents.AssertRefusedAsync("CallNotFound", () => strangerPhone.InvokeAsync<string>("TransferCall", p.CallId, carolUser.Address));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => p.Callee.InvokeAsync<string>("TransferCall", "no-such-call", carolUser.Address));
        await CallEvents.AssertRefusedAsync("CalleeNotFound", () => p.Callee.InvokeAsync<string>("TransferCall", p.CallId, "nobody-" + CallServerFixture.Suffix()));
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => p.Callee.InvokeAsync<string>("TransferCall", p.CallId, "not an address"));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Callee.InvokeAsync<string>("TransferCall", p.CallId, p.CallerUser.Address));
        await CallEvents.AssertRefusedAsync("Forbidden", () => p.Callee.InvokeAsync<string>("TransferCall", p.CallId, "tel:+15550001111"));
        await p.Caller.AssertUnchangedAsync(before);
        await p.Caller.AssertNoEventAsync(CallEvents.TransferRequested);
        Assert.Equal([p.CallId], (await p.Caller.InvokeRawAsync("GetActiveCalls")).EnumerateArray().Select(c => c.Str("callId")));

        // One transfer at a time: the second is refused, and its new call is gone.
        await p.Callee.InvokeAsync<string>("TransferCall", p.CallId, carolUser.Address);
        await p.Caller.WaitForEventAsync(CallEvents.TransferRequested, a => a[0].GetString() == p.CallId);
        await CallEvents.AssertRefusedAsync("OperationInProgress", () => p.Caller.InvokeAsync<string>("TransferCall", p.CallId, carolUser.Address));
        await CallEvents.AssertRefusedAsync("OperationInProgress", () => p.Caller.InvokeAsync<string>("HoldCall", p.CallId, Sdp.Audio("sendonly")));
        await Poll.UntilAsync(async () => (await p.Callee.InvokeRawAsync("GetActiveCalls")).GetArrayLength() == 1, "the second transfer's call ended");
    }

    [Fact]
    public async Task A_ringing_call_cannot_be_transferred()
    {
        await using var p = await Scenario.RingingAsync(server);
        var carolUser = await server.CreateUserAsync("carol");
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync<string>("TransferCall", p.CallId, carolUser.Address));
    }

    [Fact]
    public async Task An_anonymous_visitor_is_transferred_only_where_its_token_lets_it_call()
    {
        var bobUser = await server.CreateUserAsync("support");
        var carolUser = await server.CreateUserAsync("sales");
        var daveUser = await server.CreateUserAsync("billing");
        var token = await server.AnonymousTokenAsync([bobUser.Address, carolUser.Address], "Visitor");
        await using var visitor = await server.ConnectWithTokenAsync(token.AccessToken, "visitor");
        await using var bob = await server.ConnectAsync(bobUser);
        var call = await visitor.CreateCallAsync(bobUser.Address);
        await visitor.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await bob.WaitForIncomingCallAsync(call.CallId);
        await bob.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await visitor.WaitForStateAsync(call.CallId, "InCall");

        await CallEvents.AssertRefusedAsync("Forbidden", () => bob.InvokeAsync<string>("TransferCall", call.CallId, daveUser.Address));
        await CallEvents.AssertRefusedAsync("Forbidden", () => visitor.InvokeAsync<string>("TransferCall", call.CallId, carolUser.Address));
        var newCallId = await bob.InvokeAsync<string>("TransferCall", call.CallId, carolUser.Address);
        var requested = await visitor.WaitForEventAsync(CallEvents.TransferRequested, a => a[0].GetString() == call.CallId);
        Assert.Equal(newCallId, requested[1].GetString());
    }

    [Fact]
    public async Task Bob_consults_carol_then_connects_alice_to_her_without_ringing_and_both_his_calls_end_Transferred()
    {
        await using var p = await Scenario.InCallAsync(server);
        var carolUser = await server.CreateUserAsync("carol");
        await using var carol = await server.ConnectAsync(carolUser);
        await using var carolLaptop = await server.ConnectAsync(carolUser, "laptop");

        // Bob holds alice and calls carol, then holds her too.
        await Scenario.RenegotiateAsync(p.Callee, p.Caller, p.CallId, "HoldCall", Sdp.Audio("sendonly"), Sdp.Audio("recvonly"));
        var consultation = await p.Callee.CreateCallAsync(carolUser.Address);
        await p.Callee.InvokeAsync("EstablishCall", consultation.CallId, Sdp.Audio());
        await carol.WaitForIncomingCallAsync(consultation.CallId);
        await carol.InvokeAsync("AcceptCall", consultation.CallId, Sdp.Audio());
        await p.Callee.WaitForStateAsync(consultation.CallId, "InCall");
        await CallEvents.AssertRefusedAsync("NotOnHold", () => p.Callee.InvokeAsync<string>("ConsultativeTransfer", p.CallId, consultation.CallId));
        await Scenario.RenegotiateAsync(p.Callee, carol, consultation.CallId, "HoldCall", Sdp.Audio("sendonly"), Sdp.Audio("recvonly"));

        var newCallId = await p.Callee.InvokeAsync<string>("ConsultativeTransfer", p.CallId, consultation.CallId);
        var requested = await p.Caller.WaitForEventAsync(CallEvents.TransferRequested, a => a[0].GetString() == p.CallId);
        Assert.Equal((newCallId, carolUser.Address), (requested[1].GetString(), requested[2].GetString()));
        var connected = await carol.WaitForEventAsync(CallEvents.TransferConnected, a => a[0].GetString() == consultation.CallId);
        Assert.Equal((newCallId, p.CalleeUser.Address), (connected[1].GetString(), connected[2].GetString()));

        // Alice places it; only carol's device of the consultation is offered it, marked as replacing that call.
        await p.Caller.InvokeAsync("EstablishCall", newCallId, Sdp.Audio());
        var (incoming, _) = await carol.WaitForIncomingCallAsync(newCallId);
        Assert.Equal(consultation.CallId, incoming.ReplacesCallId);
        await carolLaptop.AssertNoEventAsync(CallEvents.IncomingCall, a => a[0].Str("callId") == newCallId);
        await carol.InvokeAsync("AcceptCall", newCallId, Sdp.Audio());

        await p.Caller.WaitForStateAsync(newCallId, "InCall");
        await carol.WaitForStateAsync(newCallId, "InCall");
        await p.Callee.WaitForTransferProgressAsync(p.CallId, "Succeeded");
        await p.Caller.WaitForStateAsync(p.CallId, "Ended", "Transferred");
        await carol.WaitForStateAsync(consultation.CallId, "Ended", "Transferred");
        await p.Callee.WaitForStateAsync(consultation.CallId, "Ended", "Transferred");
        Assert.Empty((await p.Callee.InvokeRawAsync("GetActiveCalls")).EnumerateArray());
    }

    [Fact]
    public async Task A_consultative_transfer_of_a_call_the_transferor_is_no_party_of_is_refused_and_reveals_nothing()
    {
        await using var p = await Scenario.InCallAsync(server);
        await using var other = await Scenario.InCallAsync(server);
        await Scenario.RenegotiateAsync(p.Callee, p.Caller, p.CallId, "HoldCall", Sdp.Audio("sendonly"), Sdp.Audio("recvonly"));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => p.Callee.InvokeAsync<string>("ConsultativeTransfer", p.CallId, other.CallId));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Callee.InvokeAsync<string>("ConsultativeTransfer", p.CallId, p.CallId));
        await other.Caller.AssertNoEventAsync(CallEvents.TransferConnected);
    }
}
