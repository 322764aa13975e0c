using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;
using CallServer.Tests.Push.StandIns;

namespace CallServer.Tests.Push;

/// <summary>
/// Push wake-up over the real hub protocol (the official SignalR client): a callee whose only device is a
/// push registration rings through the APNs stand-in, wakes (connects), gets the offer and accepts; every
/// end of the ringing cancels the push; a gone token deletes the registration; a slow push service delays
/// no event; Web Push is really encrypted.
/// </summary>
public sealed class PushWakeUpTests(PushWakeFixture server) : IClassFixture<PushWakeFixture>
{
    private static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(5);

    private async Task<string> RegisterApnsAsync(TestUser user, string token, string registrationId = "iphone", string? alertToken = null)
    {
        using var response = await SendAsync(
            HttpMethod.Put, $"/api/v1/push-registrations/{registrationId}", user.Token, alertToken is null ? new { platform = "apns", token } : new { platform = "apns", token, alertToken });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return token;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null) =>
        server.SendAsync(method, path, token, body);

    private async Task<ApnsRequest> NextPushAsync(string token, string type, string callId)
    {
        while (true)
        {
            var request = await server.Apns.Requests.NextAsync(PushTimeout);
            if (request.DeviceToken == token && request.Payload.Str("type") == type && request.Payload.Str("callId") == callId)
            {
                Assert.Empty(request.Problems);
                return request;
            }
        }
    }

    private static string NewToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task A_callee_whose_only_device_is_a_push_registration_rings_wakes_gets_the_offer_and_accepts()
    {
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var token = await RegisterApnsAsync(bob, NewToken());
        await using var caller = await server.ConnectAsync(alice);

        var call = await caller.CreateCallAsync(bob.Username);
        var establishedAt = DateTimeOffset.UtcNow;
        var sentOffer = Sdp.Video();
        await caller.InvokeAsync("EstablishCall", call.CallId, sentOffer);
        await caller.WaitForStateAsync(call.CallId, "Dialing");
        await caller.WaitForStateAsync(call.CallId, "Ringing");

        // The phone is woken: a VoIP push with the call, never the SDP.
        var push = await NextPushAsync(token, "incomingCall", call.CallId);
        Assert.Equal("voip", push.Header("apns-push-type"));
        Assert.Equal($"{PushWakeFixture.Topic}.voip", push.Header("apns-topic"));
        Assert.Equal("10", push.Header("apns-priority"));
        Assert.Equal(call.CallId, push.Header("apns-collapse-id"));
        var expiresAt = DateTimeOffset.Parse(push.Payload.Str("expiresAt")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expiresAt, establishedAt + server.RingTimeout - TimeSpan.FromSeconds(2), establishedAt + server.RingTimeout + TimeSpan.FromSeconds(2));
        Assert.Equal(expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), push.Header("apns-expiration"));
        Assert.Equal(alice.Address, push.Payload.Str("from"));
        Assert.True(push.Payload.GetProperty("video").GetBoolean());
        Assert.DoesNotContain("v=0", push.Body, StringComparison.Ordinal);
        Assert.Equal(["callId", "displayName", "expiresAt", "from", "type", "video"], push.Payload.EnumerateObject().Select(p => p.Name).Order());

        // It wakes: its app connects, and the call rings there with the caller's offer.
        await using var phone = await server.ConnectAsync(bob, "woken-phone");
        var (incoming, offer) = await phone.WaitForIncomingCallAsync(call.CallId);
        Assert.Equal("Ringing", incoming.State);
        Assert.Equal(sentOffer, offer);
        await phone.InvokeAsync("AcceptCall", call.CallId, Sdp.Video());
        await caller.WaitForStateAsync(call.CallId, "InCall");
        await phone.WaitForStateAsync(call.CallId, "InCall");

        // The other phones of the account stop ringing.
        var canceled = await NextPushAsync(token, "callCanceled", call.CallId);
        Assert.Equal("AnsweredElsewhere", canceled.Payload.Str("reason"));
        Assert.Equal(["callId", "reason", "type"], canceled.Payload.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task A_call_that_woke_a_phone_and_ended_unanswered_sends_a_missed_call_alert_to_its_alert_token()
    {
        // (Ended by the ringing's timeout, a missed call too: the decider's tables, CallDeciderWakeTests.)
        const string reason = "Canceled";
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var voip = NewToken();
        var alert = NewToken();
        await RegisterApnsAsync(bob, voip, alertToken: alert);
        var plain = await RegisterApnsAsync(bob, NewToken(), registrationId: "old-iphone"); // no alert token: no missed-call push
        await using var caller = await server.ConnectAsync(alice);
        var call = await caller.CreateCallAsync(bob.Username);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Video());
        await NextPushAsync(voip, "incomingCall", call.CallId);

        var endedAt = DateTimeOffset.UtcNow;
        await caller.InvokeAsync("EndCall", call.CallId);
        await caller.WaitForStateAsync(call.CallId, "Ended", "EndedLocally");
        var missed = await NextPushAsync(alert, "missedCall", call.CallId);
        Assert.Equal("alert", missed.Header("apns-push-type"));
        Assert.Equal(PushWakeFixture.Topic, missed.Header("apns-topic"));
        Assert.Equal($"missed-{call.CallId}", missed.Header("apns-collapse-id")); // its own: the cancel does not replace it
        var expires = DateTimeOffset.FromUnixTimeSeconds(long.Parse(missed.Header("apns-expiration")!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expires, endedAt + TimeSpan.FromHours(23), endedAt + TimeSpan.FromHours(25));
        var aps = missed.Payload.GetProperty("aps");
        Assert.Equal("Missed video call", aps.GetProperty("alert").Str("title"));
        Assert.Equal(alice.Address, aps.GetProperty("alert").Str("body"));
        Assert.Equal("default", aps.Str("sound"));
        Assert.Equal(alice.Address, missed.Payload.Str("from"));
        Assert.Equal(reason, missed.Payload.Str("reason"));
        Assert.True(missed.Payload.GetProperty("video").GetBoolean());
        Assert.Equal(["aps", "callId", "displayName", "from", "reason", "type", "video"], missed.Payload.EnumerateObject().Select(p => p.Name).Order());
        Assert.DoesNotContain("v=0", missed.Body, StringComparison.Ordinal);

        // The phones stopped ringing first (VoIP, to the PushKit tokens); the registration without an alert token got no alert.
        Assert.Equal(reason, server.Apns.Requests.All.Single(r => r.DeviceToken == voip && r.Payload.Str("type") == "callCanceled" && r.Payload.Str("callId") == call.CallId).Payload.Str("reason"));
        Assert.DoesNotContain(server.Apns.Requests.All, r => r.DeviceToken == plain && r.Payload.Str("type") == "missedCall");
        Assert.DoesNotContain(server.Apns.Requests.All, r => r.DeviceToken == voip && r.Payload.Str("type") == "missedCall");
    }

    [Fact]
    public async Task A_call_rejected_on_a_woken_phone_is_no_missed_call()
    {
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var voip = NewToken();
        var alert = NewToken();
        await RegisterApnsAsync(bob, voip, alertToken: alert);
        await using var caller = await server.ConnectAsync(alice);
        var call = await caller.CreateCallAsync(bob.Username);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await NextPushAsync(voip, "incomingCall", call.CallId);
        await using var phone = await server.ConnectAsync(bob, "woken-phone");
        await phone.WaitForIncomingCallAsync(call.CallId);
        await phone.InvokeAsync("RejectCall", call.CallId);
        await caller.WaitForStateAsync(call.CallId, "Ended");
        Assert.Equal("Rejected", (await NextPushAsync(voip, "callCanceled", call.CallId)).Payload.Str("reason"));

        // A later missed call of the same account does come (so a missed-call push was not merely slow here).
        var second = await caller.CreateCallAsync(bob.Username);
        await caller.InvokeAsync("EstablishCall", second.CallId, Sdp.Audio());
        await phone.WaitForIncomingCallAsync(second.CallId);
        await caller.InvokeAsync("EndCall", second.CallId);
        await NextPushAsync(alert, "missedCall", second.CallId);
        Assert.DoesNotContain(server.Apns.Requests.All, r => r.Payload.Str("type") == "missedCall" && r.Payload.Str("callId") == call.CallId);
    }

    [Fact]
    public async Task The_caller_canceling_a_call_that_rings_only_by_push_sends_callCanceled_and_the_woken_phone_finds_nothing_to_answer()
    {
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var token = await RegisterApnsAsync(bob, NewToken());
        await using var caller = await server.ConnectAsync(alice);
        var call = await caller.CreateCallAsync(bob.Username);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await NextPushAsync(token, "incomingCall", call.CallId);

        await caller.InvokeAsync("EndCall", call.CallId);
        await caller.WaitForStateAsync(call.CallId, "Ended", "EndedLocally");
        Assert.Equal("Canceled", (await NextPushAsync(token, "callCanceled", call.CallId)).Payload.Str("reason"));

        await using var late = await server.ConnectAsync(bob, "late-phone");
        Assert.Empty(await late.InvokeAsync<CallView[]>("GetActiveCalls"));
        await late.AssertNoEventAsync(CallEvents.IncomingCall, window: TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public async Task A_token_the_push_service_calls_gone_deletes_the_registration_and_the_next_call_is_Unavailable()
    {
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var token = await RegisterApnsAsync(bob, NewToken());
        server.Apns.Answer(token, ApnsAnswer.Unregistered);
        await using var caller = await server.ConnectAsync(alice);
        var call = await caller.CreateCallAsync(bob.Username);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await NextPushAsync(token, "incomingCall", call.CallId);

        await Poll.UntilAsync(async () =>
        {
            using var list = await SendAsync(HttpMethod.Get, "/api/v1/push-registrations", bob.Token);
            return (await list.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength() == 0;
        }, "the registration is deleted");

        var next = await caller.CreateCallAsync(bob.Username);
        await caller.InvokeAsync("EstablishCall", next.CallId, Sdp.Audio());
        await caller.WaitForStateAsync(next.CallId, "Ended", "Unavailable");
    }

    [Fact]
    public async Task An_incoming_call_push_being_retried_is_not_sent_again_once_the_call_stopped_ringing()
    {
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var token = await RegisterApnsAsync(bob, NewToken());
        server.Apns.Answer(token, ApnsAnswer.InternalServerError); // 500: retried with backoff
        await using var caller = await server.ConnectAsync(alice);
        var call = await caller.CreateCallAsync(bob.Username);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await NextPushAsync(token, "incomingCall", call.CallId);

        // The call stops ringing while the push is being retried; the service works again from now on.
        await caller.InvokeAsync("EndCall", call.CallId);
        server.Apns.Answer(token, ApnsAnswer.Accept);
        var canceled = await NextPushAsync(token, "callCanceled", call.CallId);

        // The retries of the incoming-call push (250 ms, 500 ms, 1 s, 2 s apart) would all have come within
        // this window (a negative check needs one): none reached the phone after the cancel.
        await Task.Delay(TimeSpan.FromSeconds(4));
        var afterCancel = server.Apns.Requests.All.SkipWhile(r => !ReferenceEquals(r, canceled)).Skip(1)
            .Where(r => r.DeviceToken == token && r.Payload.Str("type") == "incomingCall");
        Assert.Empty(afterCancel);
    }

    [Fact]
    public async Task A_push_service_that_takes_5_s_to_answer_delays_no_event_of_the_call()
    {
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        var token = await RegisterApnsAsync(bob, NewToken());
        server.Apns.Answer(token, ApnsAnswer.Hang);
        await using var caller = await server.ConnectAsync(alice);
        var call = await caller.CreateCallAsync(bob.Username);

        var clock = Stopwatch.StartNew();
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await caller.WaitForStateAsync(call.CallId, "Ringing");
        await NextPushAsync(token, "incomingCall", call.CallId); // arrived, and hangs
        await using var phone = await server.ConnectAsync(bob, "woken-phone");
        await phone.WaitForIncomingCallAsync(call.CallId);
        await phone.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await caller.WaitForStateAsync(call.CallId, "InCall");
        var elapsed = clock.Elapsed;
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"the call was set up in {elapsed.TotalMilliseconds:0} ms while its push hung");
    }

    [Fact]
    public async Task A_web_push_subscription_gets_the_push_encrypted_for_it_and_signed_by_the_servers_VAPID_key()
    {
        var alice = await server.CreateUserAsync("alice");
        var bob = await server.CreateUserAsync("bob");
        using var browser = server.WebPush.Subscribe();
        var sub = browser.Subscription;
        using (var put = await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/browser", bob.Token, new
        {
            platform = "webpush",
            subscription = new { endpoint = sub.Endpoint, keys = new { p256dh = sub.P256dh, auth = sub.Auth } },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await using var caller = await server.ConnectAsync(alice);
        var call = await caller.CreateCallAsync(bob.Username);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await caller.WaitForStateAsync(call.CallId, "Ringing");

        var delivery = await server.WebPush.Deliveries.NextAsync(PushTimeout);
        Assert.Empty(delivery.Problems);
        var payload = JsonDocument.Parse(delivery.Plaintext ?? "null").RootElement;
        Assert.Equal("incomingCall", payload.Str("type"));
        Assert.Equal(call.CallId, payload.Str("callId"));
        Assert.False(payload.GetProperty("video").GetBoolean());

        using var key = await SendAsync(HttpMethod.Get, "/api/v1/push/webpush-key", null);
        var publicKey = (await key.Content.ReadFromJsonAsync<JsonElement>()).Str("publicKey")!;
        Assert.Equal(65, System.Buffers.Text.Base64Url.DecodeFromChars(publicKey).Length);
        Assert.Equal(publicKey, delivery.VapidPublicKey);
    }
}
