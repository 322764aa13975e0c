using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Webhooks;

/// <summary>
/// Webhooks over the real hub protocol (the official SignalR client) to a loopback receiver that verifies
/// every signature itself: a call's events in order with its record, forwards, the event filter of an
/// endpoint, retries with the same webhook-id, a receiver that hangs (the call does not wait), refusals
/// and the attempt limit (dropped, counted and logged).
/// </summary>
public sealed class WebhookDeliveryTests(WebhookFixture server) : IClassFixture<WebhookFixture>
{
    private const string All = WebhookFixture.AllEndpoint;
    private const string Picked = WebhookFixture.PickedEndpoint;
    private const string Created = "call.created";
    private const string Ringing = "call.ringing";
    private const string Answered = "call.answered";
    private const string Forwarded = "call.forwarded";
    private const string Ended = "call.ended";

    private WebhookReceiver Receiver => server.Receiver;

    [Fact]
    public async Task A_call_gives_created_ringing_answered_ended_in_order_once_each_signed_and_with_its_record()
    {
        await using var p = await Scenario.InCallAsync(server);
        await Scenario.RenegotiateAsync(p.Caller, p.Callee, p.CallId, "HoldCall", Sdp.Audio("sendonly"), Sdp.Audio("recvonly"));
        await p.Caller.WaitForStateAsync(p.CallId, "OnHold");
        await Scenario.RenegotiateAsync(p.Caller, p.Callee, p.CallId, "UnholdCall", Sdp.Audio(), Sdp.Audio());
        await p.Caller.WaitForStateAsync(p.CallId, "InCall");
        await p.Caller.InvokeAsync("EndCall", p.CallId);
        await p.Caller.WaitForStateAsync(p.CallId, "Ended", "EndedLocally");

        await Receiver.WaitForDeliveredAsync(All, p.CallId, [Ended]);
        var got = Receiver.Of(All, p.CallId);
        Assert.Equal([Created, Ringing, Answered, Ended], got.Select(w => w.Type));
        Assert.All(got, w => Assert.Empty(w.Problems));
        Assert.Equal(4, got.Select(w => w.WebhookId).Distinct().Count());
        Assert.All(got, w => Assert.StartsWith($"msg_{p.CallId}_", w.WebhookId, StringComparison.Ordinal));
        Assert.All(got, w => Assert.StartsWith("CallServer-Webhooks/1", w.UserAgent, StringComparison.Ordinal));
        Assert.All(got, w =>
        {
            Assert.Equal(p.CallId, w.Data.Str("callId"));
            Assert.Equal(p.CallerUser.Address, w.Data.Str("caller"));
            Assert.Equal(p.CalleeUser.Address, w.Data.Str("callee"));
        });
        Assert.Equal(["Initial", "Ringing", "Answering", "Ended"], got.Select(w => w.Data.Str("state")));
        Assert.Equal("Ended", got[3].Data.Str("state"));
        var times = got.Select(w => Time(w.Json!.Value, "timestamp")).ToList();
        Assert.Equal(times.Order(), times);
        Assert.All(got.Take(3), w => Assert.False(w.Data.TryGetProperty("record", out _)));

        var record = got[3].Data.GetProperty("record");
        Assert.Equal(p.CallId, record.Str("callId"));
        Assert.Equal(p.CallerUser.Address, record.Str("caller"));
        Assert.Equal(p.CalleeUser.Address, record.Str("callee"));
        Assert.Equal(p.CalleeUser.Address, record.Str("answeredBy"));
        Assert.False(record.GetProperty("callerAnonymous").GetBoolean());
        Assert.False(record.GetProperty("video").GetBoolean());
        var (createdAt, ringingAt, answeredAt, endedAt) = (Time(record, "createdAt"), Time(record, "ringingAt"), Time(record, "answeredAt"), Time(record, "endedAt"));
        Assert.True(createdAt <= ringingAt && ringingAt <= answeredAt && answeredAt <= endedAt, $"{createdAt:O} {ringingAt:O} {answeredAt:O} {endedAt:O}");
        Assert.Equal(times[0], createdAt);
        Assert.Equal(times[3], endedAt);
        var duration = record.GetProperty("durationSeconds").GetDouble();
        Assert.Equal((endedAt - answeredAt).TotalSeconds, duration, 0.002);
        var held = record.GetProperty("holdSeconds").GetDouble();
        Assert.InRange(held, 0.0005, duration);
        Assert.Equal("EndedLocally", record.GetProperty("callerEnd").Str("reason"));
        Assert.Equal("EndedRemotely", record.GetProperty("calleeEnd").Str("reason"));

        // The endpoint that named its events got only those, in order.
        await Receiver.WaitForDeliveredAsync(Picked, p.CallId, [Answered, Ended]);
        Assert.Equal([Answered, Ended], Receiver.Of(Picked, p.CallId).Select(w => w.Type));
        Assert.Equal(got[3].WebhookId, Receiver.Of(Picked, p.CallId)[1].WebhookId);
    }

    [Fact]
    public async Task A_forwarded_call_gives_forwarded_then_ringing_again_and_its_record_names_the_chain_and_who_answered()
    {
        await using var p = await Scenario.RingingAsync(server);
        var targetUser = await server.CreateUserAsync("target");
        await using var target = await server.ConnectAsync(targetUser);
        await p.Callee.InvokeAsync("ForwardCall", p.CallId, targetUser.Username);
        await target.WaitForIncomingCallAsync(p.CallId);
        await target.InvokeAsync("AcceptCall", p.CallId, Sdp.Audio());
        await p.Caller.WaitForStateAsync(p.CallId, "InCall");
        await target.InvokeAsync("EndCall", p.CallId);
        await p.Caller.WaitForStateAsync(p.CallId, "Ended");

        await Receiver.WaitForDeliveredAsync(All, p.CallId, [Ended]);
        var got = Receiver.Of(All, p.CallId);
        Assert.Equal([Created, Ringing, Forwarded, Ringing, Answered, Ended], got.Select(w => w.Type));
        Assert.All(got, w => Assert.Empty(w.Problems));
        Assert.Equal(targetUser.Address, got[2].Data.Str("callee"));
        var record = got[^1].Data.GetProperty("record");
        Assert.Equal(p.CalleeUser.Address, record.Str("callee"));
        Assert.Equal(targetUser.Address, record.Str("answeredBy"));
        Assert.Equal([p.CalleeUser.Address, targetUser.Address], record.GetProperty("forwardChain").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task An_endpoint_that_names_its_events_gets_only_those()
    {
        await using var p = await Scenario.RingingAsync(server);
        await p.Caller.InvokeAsync("EndCall", p.CallId);
        await p.Caller.WaitForStateAsync(p.CallId, "Ended", "EndedLocally");

        await Receiver.WaitForDeliveredAsync(All, p.CallId, [Ended]);
        await Receiver.WaitForDeliveredAsync(Picked, p.CallId, [Ended]);
        Assert.Equal([Created, Ringing, Ended], Receiver.Of(All, p.CallId).Select(w => w.Type));
        var picked = Assert.Single(Receiver.Of(Picked, p.CallId));
        Assert.Equal(Ended, picked.Type);
        Assert.Null(picked.Data.GetProperty("record").Str("answeredBy"));
        Assert.Equal("Canceled", picked.Data.GetProperty("record").GetProperty("calleeEnd").Str("reason"));
    }

    [Fact]
    public async Task A_receiver_that_answers_500_twice_gets_the_same_event_again_with_the_same_id_and_the_later_events_after_it()
    {
        var parties = await Scenario.ConnectedAsync(server);
        await using var p = parties;
        Receiver.Plan(All, p.CallerUser.Address, Ringing, WebhookAnswer.With(500), WebhookAnswer.With(503));
        var call = await p.Caller.CreateCallAsync(p.CalleeUser.Address);
        await p.Caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await p.Callee.WaitForIncomingCallAsync(call.CallId);
        await p.Callee.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await p.Caller.WaitForStateAsync(call.CallId, "InCall");
        await p.Caller.InvokeAsync("EndCall", call.CallId);

        await Receiver.WaitForDeliveredAsync(All, call.CallId, [Ended]);
        var got = Receiver.Of(All, call.CallId);
        Assert.Equal([Created, Ringing, Ringing, Ringing, Answered, Ended], got.Select(w => w.Type));
        Assert.Equal([200, 500, 503, 200, 200, 200], got.Select(w => ((WebhookAnswer.Status)w.Answer).Code));
        Assert.Single(got.Where(w => w.Type == Ringing).Select(w => w.WebhookId).Distinct());
        Assert.All(got, w => Assert.Empty(w.Problems));
        Assert.True(got[3].ReceivedAt - got[1].ReceivedAt >= TimeSpan.FromMilliseconds(100), "backed off between attempts");
    }

    [Fact]
    public async Task A_receiver_that_hangs_past_the_timeout_delays_no_call_event_and_gets_the_event_again()
    {
        var parties = await Scenario.ConnectedAsync(server);
        await using var p = parties;
        Receiver.Plan(All, p.CallerUser.Address, Created, WebhookAnswer.Hangs);

        var call = await p.Caller.CreateCallAsync(p.CalleeUser.Address);

        // The receiver has the created event and does not answer it; the call goes on meanwhile.
        await Receiver.WaitUntilAsync(all => all.Any(w => w.CallId == call.CallId && w.Type == Created), "the receiver got the created event");
        var clock = Stopwatch.StartNew();
        await p.Caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await p.Callee.WaitForIncomingCallAsync(call.CallId);
        await p.Callee.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await p.Caller.WaitForStateAsync(call.CallId, "InCall");
        var setUpIn = clock.Elapsed;
        var whileHanging = Receiver.Of(All, call.CallId);

        // The call did not wait for the receiver, and its later events wait behind the first (order).
        Assert.True(setUpIn < WebhookFixture.Timeout, $"the call was set up in {setUpIn.TotalMilliseconds:0} ms while its receiver hung");
        Assert.Equal([Created], whileHanging.Select(w => w.Type));
        Assert.IsType<WebhookAnswer.Hang>(whileHanging[0].Answer);

        await p.Caller.InvokeAsync("EndCall", call.CallId);
        await Receiver.WaitForDeliveredAsync(All, call.CallId, [Ended]);
        var got = Receiver.Of(All, call.CallId);
        Assert.Equal([Created, Created, Ringing, Answered, Ended], got.Select(w => w.Type));
        Assert.Equal(got[0].WebhookId, got[1].WebhookId);
        Assert.True(got[1].ReceivedAt - got[0].ReceivedAt >= WebhookFixture.Timeout, "tried again after the timeout");
    }

    [Fact]
    public async Task A_receiver_that_answers_400_gets_the_event_once_it_is_dropped_and_the_next_events_follow()
    {
        var parties = await Scenario.ConnectedAsync(server);
        await using var p = parties;
        Receiver.Plan(All, p.CallerUser.Address, Created, WebhookAnswer.With(400));
        var droppedBefore = Deliveries("dropped", Created);
        var call = await p.Caller.CreateCallAsync(p.CalleeUser.Address);
        await p.Caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await p.Callee.WaitForIncomingCallAsync(call.CallId);
        await p.Caller.InvokeAsync("EndCall", call.CallId);

        await Receiver.WaitForDeliveredAsync(All, call.CallId, [Ended]);
        var got = Receiver.Of(All, call.CallId);
        Assert.Equal([Created, Ringing, Ended], got.Select(w => w.Type));
        Assert.Equal(400, ((WebhookAnswer.Status)got[0].Answer).Code);
        Assert.Equal(droppedBefore + 1, Deliveries("dropped", Created));
        Assert.Contains(server.Logs.Entries, e => e.EventId.Id == 7004 && e.Values.GetValueOrDefault("CallId") == call.CallId);
    }

    [Fact]
    public async Task After_MaxAttempts_failures_the_event_is_dropped_counted_and_logged_and_the_next_events_follow()
    {
        var parties = await Scenario.ConnectedAsync(server);
        await using var p = parties;
        Receiver.Plan(All, p.CallerUser.Address, Ringing, [.. Enumerable.Repeat(WebhookAnswer.With(500), 10)]);
        var droppedBefore = Deliveries("dropped", Ringing);
        var retriedBefore = Deliveries("retry", Ringing);
        var call = await p.Caller.CreateCallAsync(p.CalleeUser.Address);
        await p.Caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await p.Callee.WaitForIncomingCallAsync(call.CallId);
        await p.Caller.InvokeAsync("EndCall", call.CallId);

        await Receiver.WaitForDeliveredAsync(All, call.CallId, [Ended]);
        var got = Receiver.Of(All, call.CallId);
        Assert.Equal([Created, .. Enumerable.Repeat(Ringing, WebhookFixture.MaxAttempts), Ended], got.Select(w => w.Type));
        Assert.All(got.Where(w => w.Type == Ringing), w => Assert.Equal(500, ((WebhookAnswer.Status)w.Answer).Code));
        Assert.Equal(droppedBefore + 1, Deliveries("dropped", Ringing));
        Assert.Equal(retriedBefore + WebhookFixture.MaxAttempts - 1, Deliveries("retry", Ringing));
        var warning = Assert.Single(server.Logs.Entries, e => e.EventId.Id == 7003 && e.Values.GetValueOrDefault("CallId") == call.CallId);
        Assert.Equal(Ringing, warning.Values["Type"]);
        Assert.Contains("MaxAttempts", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", string.Join('\n', server.Logs.Entries.Select(e => e.Message)), StringComparison.Ordinal);
    }

    private static DateTimeOffset Time(JsonElement element, string property) =>
        DateTimeOffset.Parse(element.Str(property)!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    private long Deliveries(string outcome, string type) => server.Measurements.Deliveries(outcome, type);
}
