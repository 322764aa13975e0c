using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;
using CallServer.Tests.Webhooks;

namespace CallServer.Tests.Hub;

/// <summary>
/// Issue 18 over the real hub protocol (the official .NET SignalR client) on one node: call waiting and busy,
/// <c>HoldAndAccept</c> / <c>EndAndAccept</c>, DTMF, custom parameters, the end reason text and quality reports; each
/// with its bad input, and what reaches the webhook record, the history and the admin call lookup.
/// </summary>
public sealed class DuringCallTests(WebhookFixture server) : IClassFixture<WebhookFixture>
{
    private const string All = WebhookFixture.AllEndpoint;

    private static readonly object Sample = new { rttMs = 42.5, jitterMs = 3.1, packetLossPercent = 0.0, mos = 4.38, audioBitrateKbps = 31.9 };

    // ---- Call waiting and busy ----

    [Fact]
    public async Task A_second_call_rings_a_device_in_a_call_flagged_waiting_and_HoldAndAccept_takes_it_holding_the_first()
    {
        await using var p = await Scenario.InCallAsync(server);
        var carolUser = await server.CreateUserAsync("carol");
        await using var carol = await server.ConnectAsync(carolUser);
        var second = await carol.CreateCallAsync(p.CalleeUser.Address);
        await carol.InvokeAsync("EstablishCall", second.CallId, Sdp.Audio());

        var (incoming, _) = await p.Callee.WaitForIncomingCallAsync(second.CallId);
        Assert.True(incoming.Waiting);
        Assert.Null((await carol.GetCallAsync(second.CallId)).Waiting);

        var answer = Sdp.Audio();
        var operationId = await p.Callee.InvokeAsync<string?>("HoldAndAccept", second.CallId, p.CallId, answer, Sdp.Audio("sendonly"));
        Assert.False(string.IsNullOrEmpty(operationId));

        // The waiting call is answered and the first is being held, in one command.
        await carol.WaitForStateAsync(second.CallId, "InCall");
        var answerEvent = await carol.WaitForEventAsync(CallEvents.RemoteDescription, a => a[0].GetString() == second.CallId);
        Assert.Equal(answer, answerEvent[2].GetString());
        var hold = await p.Caller.WaitForRenegotiationAsync(p.CallId, operationId!);
        Assert.Equal("HoldCall", hold.Operation);
        await p.Caller.InvokeAsync("AnswerRenegotiation", p.CallId, operationId, Sdp.Audio("recvonly"));
        await p.Caller.WaitForStateAsync(p.CallId, "RemotelyHeld");
        Assert.Equal("OnHold", (await p.Callee.GetCallAsync(p.CallId)).State);
        Assert.Equal("InCall", (await p.Callee.GetCallAsync(second.CallId)).State);
    }

    [Fact]
    public async Task EndAndAccept_ends_the_first_call_with_its_reason_text_and_answers_the_waiting_one()
    {
        await using var p = await Scenario.InCallAsync(server);
        var (carol, second) = await CallWaitingAsync(p);
        await using var carolConnection = carol;

        await p.Callee.InvokeAsync("EndAndAccept", second.CallId, p.CallId, Sdp.Audio(), "another call", new Dictionary<string, string> { ["line"] = "2" });

        var ended = await p.Caller.WaitForStateAsync(p.CallId, "Ended", "EndedRemotely");
        Assert.Equal("another call", ended.EndReasonText);
        await carol.WaitForStateAsync(second.CallId, "InCall");
        var parameters = await carol.WaitForEventAsync(CallEvents.CustomParametersReceived, a => a[0].GetString() == second.CallId);
        Assert.Equal("2", parameters[1].GetProperty("line").GetString());

        // The old arity works too (no reason, no parameters).
        await using var q = await Scenario.InCallAsync(server);
        var third = await carol.CreateCallAsync(q.CalleeUser.Address);
        await carol.InvokeAsync("EstablishCall", third.CallId, Sdp.Audio());
        await q.Callee.WaitForIncomingCallAsync(third.CallId);
        await q.Callee.InvokeAsync("EndAndAccept", third.CallId, q.CallId, Sdp.Audio());
        Assert.Null((await q.Caller.WaitForStateAsync(q.CallId, "Ended", "EndedRemotely")).EndReasonText);
    }

    [Fact]
    public async Task A_refused_switch_changes_neither_call()
    {
        await using var p = await Scenario.InCallAsync(server);
        var (carol, second) = await CallWaitingAsync(p);
        await using var carolConnection = carol;
        var first = await p.Callee.GetCallAsync(p.CallId);
        var waiting = await p.Callee.GetCallAsync(second.CallId);

        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Callee.InvokeAsync("HoldAndAccept", second.CallId, p.CallId, "not sdp", Sdp.Audio("sendonly")));
        await CallEvents.AssertRefusedAsync("InvalidSdp", () => p.Callee.InvokeAsync("HoldAndAccept", second.CallId, p.CallId, Sdp.Audio(), Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Callee.InvokeAsync("HoldAndAccept", p.CallId, p.CallId, Sdp.Audio(), Sdp.Audio("sendonly")));
        await CallEvents.AssertRefusedAsync("CallNotFound", () => p.Callee.InvokeAsync("HoldAndAccept", "no-such-call", p.CallId, Sdp.Audio(), Sdp.Audio("sendonly")));
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("EndAndAccept", p.CallId, second.CallId, Sdp.Audio()));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Callee.InvokeAsync("EndAndAccept", second.CallId, p.CallId, Sdp.Audio(), new string('x', 257)));

        // A stranger learns nothing of either call.
        var eveUser = await server.CreateUserAsync("eve");
        await using var eve = await server.ConnectAsync(eveUser);
        await CallEvents.AssertRefusedAsync("CallNotFound", () => eve.InvokeAsync("EndAndAccept", second.CallId, p.CallId, Sdp.Audio()));

        await p.Callee.AssertUnchangedAsync(first);
        await p.Callee.AssertUnchangedAsync(waiting);
        await p.Caller.AssertNoEventAsync(CallEvents.RenegotiationRequested, window: TimeSpan.FromMilliseconds(200));
        Assert.Equal("Ringing", (await carol.GetCallAsync(second.CallId)).State);
    }

    [Fact]
    public async Task A_user_set_to_Busy_by_the_admin_api_is_not_rung_while_in_a_call_and_the_caller_hears_Busy_486()
    {
        await using var p = await Scenario.InCallAsync(server);
        using (var patched = await AdminAsync(HttpMethod.Patch, $"/api/v1/users/{p.CalleeUser.Username}", new { busyPolicy = "Busy" }))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            Assert.Equal("Busy", (await patched.Content.ReadFromJsonAsync<JsonElement>()).Str("busyPolicy"));
        }

        using (var read = await AdminAsync(HttpMethod.Get, $"/api/v1/users/{p.CalleeUser.Username}"))
        {
            Assert.Equal("Busy", (await read.Content.ReadFromJsonAsync<JsonElement>()).Str("busyPolicy"));
        }

        var carolUser = await server.CreateUserAsync("carol");
        await using var carol = await server.ConnectAsync(carolUser);
        var second = await carol.CreateCallAsync(p.CalleeUser.Address);
        await carol.InvokeAsync("EstablishCall", second.CallId, Sdp.Audio());

        var busy = await carol.WaitForStateAsync(second.CallId, "Ended", "Busy");
        Assert.Equal(486, busy.StatusCode);
        await p.Callee.AssertNoEventAsync(CallEvents.IncomingCall, a => a[0].Str("callId") == second.CallId, TimeSpan.FromMilliseconds(200));
        await Receiver.WaitForDeliveredAsync(All, second.CallId, ["call.ended"]);
        var record = Receiver.Of(All, second.CallId)[^1].Data.GetProperty("record");
        Assert.Equal(("Busy", 486), (record.GetProperty("callerEnd").Str("reason"), record.GetProperty("callerEnd").GetProperty("statusCode").GetInt32()));

        // Back to the configured default (call waiting): the next call rings, flagged waiting.
        using (var reset = await AdminAsync(HttpMethod.Patch, $"/api/v1/users/{p.CalleeUser.Username}", new { busyPolicy = (string?)null }))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            Assert.Null((await reset.Content.ReadFromJsonAsync<JsonElement>()).Str("busyPolicy"));
        }

        var third = await carol.CreateCallAsync(p.CalleeUser.Address);
        await carol.InvokeAsync("EstablishCall", third.CallId, Sdp.Audio());
        Assert.True((await p.Callee.WaitForIncomingCallAsync(third.CallId)).Call.Waiting);
    }

    [Fact]
    public async Task A_Busy_user_with_an_idle_device_rings_there_only()
    {
        await using var p = await Scenario.InCallAsync(server);
        await using var laptop = await server.ConnectAsync(p.CalleeUser, "laptop");
        using (await AdminAsync(HttpMethod.Patch, $"/api/v1/users/{p.CalleeUser.Username}", new { busyPolicy = "Busy" }))
        {
        }

        var carolUser = await server.CreateUserAsync("carol");
        await using var carol = await server.ConnectAsync(carolUser);
        var second = await carol.CreateCallAsync(p.CalleeUser.Address);
        await carol.InvokeAsync("EstablishCall", second.CallId, Sdp.Audio());

        var (incoming, _) = await laptop.WaitForIncomingCallAsync(second.CallId);
        Assert.Null(incoming.Waiting);
        await carol.WaitForStateAsync(second.CallId, "Ringing");
        await p.Callee.AssertNoEventAsync(CallEvents.IncomingCall, a => a[0].Str("callId") == second.CallId, TimeSpan.FromMilliseconds(200));
    }

    [Theory]
    [InlineData("{\"busyPolicy\":\"Sometimes\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"busyPolicy\":5}", HttpStatusCode.BadRequest)]
    [InlineData("not json", HttpStatusCode.BadRequest)]
    public async Task A_busy_policy_that_is_not_one_of_the_two_is_refused_and_changes_nothing(string body, HttpStatusCode expected)
    {
        var user = await server.CreateUserAsync("policy");
        using var refused = await AdminAsync(HttpMethod.Patch, $"/api/v1/users/{user.Username}", body);
        Assert.Equal(expected, refused.StatusCode);
        using var read = await AdminAsync(HttpMethod.Get, $"/api/v1/users/{user.Username}");
        Assert.Null((await read.Content.ReadFromJsonAsync<JsonElement>()).Str("busyPolicy"));
    }

    [Fact]
    public async Task The_busy_policy_is_the_admins_no_key_no_change_and_an_unknown_user_is_404()
    {
        var user = await server.CreateUserAsync("policy");
        using (var noKey = await AdminAsync(HttpMethod.Patch, $"/api/v1/users/{user.Username}", new { busyPolicy = "Busy" }, adminKey: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        }

        using (var unknown = await AdminAsync(HttpMethod.Patch, "/api/v1/users/nobody-" + CallServerFixture.Suffix(), new { busyPolicy = "Busy" }))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using var read = await AdminAsync(HttpMethod.Get, $"/api/v1/users/{user.Username}");
        Assert.Null((await read.Content.ReadFromJsonAsync<JsonElement>()).Str("busyPolicy"));
    }

    // ---- DTMF ----

    [Fact]
    public async Task Dtmf_digits_reach_the_other_party_and_bad_digits_are_InvalidArgument()
    {
        await using var p = await Scenario.InCallAsync(server);

        await p.Caller.InvokeAsync("SendDtmf", p.CallId, "123#*ABCD,0");
        var received = await p.Callee.WaitForEventAsync(CallEvents.DtmfReceived, a => a[0].GetString() == p.CallId);
        Assert.Equal("123#*ABCD,0", received[1].GetString());
        await p.Callee.InvokeAsync("SendDtmf", p.CallId, "9");
        Assert.Equal("9", (await p.Caller.WaitForEventAsync(CallEvents.DtmfReceived, a => a[0].GetString() == p.CallId))[1].GetString());

        foreach (var bad in new[] { "", "12x", "abc", "1 2", new string('1', 65) })
        {
            await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("SendDtmf", p.CallId, bad));
        }

        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("SendDtmf", p.CallId, null));
        await p.Callee.AssertNoEventAsync(CallEvents.DtmfReceived, window: TimeSpan.FromMilliseconds(200));

        var eveUser = await server.CreateUserAsync("eve");
        await using var eve = await server.ConnectAsync(eveUser);
        await CallEvents.AssertRefusedAsync("CallNotFound", () => eve.InvokeAsync("SendDtmf", p.CallId, "1"));
    }

    [Fact]
    public async Task Dtmf_is_only_InCall()
    {
        await using var ringing = await Scenario.RingingAsync(server);
        await CallEvents.AssertRefusedAsync("InvalidState", () => ringing.Caller.InvokeAsync("SendDtmf", ringing.CallId, "1"));

        await using var p = await Scenario.InCallAsync(server);
        await Scenario.RenegotiateAsync(p.Caller, p.Callee, p.CallId, "HoldCall", Sdp.Audio("sendonly"), Sdp.Audio("recvonly"));
        await p.Caller.WaitForStateAsync(p.CallId, "OnHold");
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Caller.InvokeAsync("SendDtmf", p.CallId, "1"));
        await p.Caller.InvokeAsync("EndCall", p.CallId);
        await CallEvents.AssertRefusedAsync("InvalidState", () => p.Callee.InvokeAsync("SendDtmf", p.CallId, "1"));
    }

    [Fact]
    public async Task A_burst_of_relayed_messages_is_RateLimited_and_what_went_through_arrived()
    {
        await using var p = await Scenario.InCallAsync(server);
        var sent = 0;
        HubErrorException? limited = null;
        for (var i = 0; i < 40 && limited is null; i++)
        {
            try
            {
                await p.Caller.InvokeAsync("SendDtmf", p.CallId, "1");
                sent++;
            }
            catch (HubErrorException error)
            {
                limited = error;
            }
        }

        Assert.NotNull(limited);
        Assert.Equal("RateLimited", limited.Code);
        Assert.InRange(sent, 1, 39);
        for (var i = 0; i < sent; i++)
        {
            await p.Callee.WaitForEventAsync(CallEvents.DtmfReceived, a => a[0].GetString() == p.CallId);
        }
    }

    // ---- Custom parameters and the end reason text ----

    [Fact]
    public async Task Custom_parameters_travel_with_the_call_and_land_in_the_record_the_history_and_the_admin_lookup()
    {
        await using var p = await Scenario.ConnectedAsync(server);
        var created = await p.Caller.CreateCallAsync(p.CalleeUser.Address);
        var callId = created.CallId;
        await p.Caller.InvokeAsync("EstablishCall", callId, Sdp.Audio(), new Dictionary<string, string> { ["ticket"] = "T-42", ["topic"] = "billing" });

        var (incoming, _) = await p.Callee.WaitForIncomingCallAsync(callId);
        Assert.Equal(new Dictionary<string, string> { ["ticket"] = "T-42", ["topic"] = "billing" }, incoming.CustomParameters);

        await p.Callee.InvokeAsync("AcceptCall", callId, Sdp.Audio(), new Dictionary<string, string> { ["agent"] = "bob" });
        var accepted = await p.Caller.WaitForEventAsync(CallEvents.CustomParametersReceived, a => a[0].GetString() == callId);
        Assert.Equal("bob", accepted[1].GetProperty("agent").GetString());
        await p.Caller.WaitForStateAsync(callId, "InCall");

        await p.Caller.InvokeAsync("SendCustomParameters", callId, new Dictionary<string, string> { ["step"] = "2" });
        var during = await p.Callee.WaitForEventAsync(CallEvents.CustomParametersReceived, a => a[0].GetString() == callId);
        Assert.Equal(["step"], during[1].EnumerateObject().Select(o => o.Name));

        await p.Callee.WaitForStateAsync(callId, "InCall");
        var seen = (await p.Callee.GetCallAsync(callId)).Sequence;
        await p.Caller.InvokeAsync("ReportQuality", callId, Sample);
        await p.Callee.AssertNoEventAsync(CallEvents.CallStatusChanged, a => a[0].Str("callId") == callId && a[0].GetProperty("sequence").GetInt64() > seen, TimeSpan.FromMilliseconds(150));

        // While it lasts, the admin sees it all.
        using (var lookup = await AdminAsync(HttpMethod.Get, $"/api/v1/admin/calls/{callId}"))
        {
            Assert.Equal(HttpStatusCode.OK, lookup.StatusCode);
            var call = await lookup.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("InCall", call.Str("state"));
            Assert.Equal("2", call.GetProperty("customParameters").GetProperty("caller").GetProperty("step").GetString());
            Assert.Equal(1, call.GetProperty("quality").GetProperty("caller").GetProperty("samples").GetInt32());
        }

        await p.Callee.InvokeAsync("EndCall", callId, "Resolved, thanks", new Dictionary<string, string> { ["survey"] = "yes" });
        var ended = await p.Caller.WaitForStateAsync(callId, "Ended", "EndedRemotely");
        Assert.Equal("Resolved, thanks", ended.EndReasonText);
        Assert.Equal("yes", (await p.Caller.WaitForEventAsync(CallEvents.CustomParametersReceived, a => a[0].GetString() == callId && a[1].TryGetProperty("survey", out _)))[1].GetProperty("survey").GetString());

        await Receiver.WaitForDeliveredAsync(All, callId, ["call.ended"]);
        var record = Receiver.Of(All, callId)[^1].Data.GetProperty("record");
        Assert.Equal("Resolved, thanks", record.Str("endReasonText"));
        var recorded = record.GetProperty("customParameters");
        Assert.Equal(["step", "ticket", "topic"], recorded.GetProperty("caller").EnumerateObject().Select(o => o.Name).Order(StringComparer.Ordinal));
        Assert.Equal(["agent", "survey"], recorded.GetProperty("callee").EnumerateObject().Select(o => o.Name).Order(StringComparer.Ordinal));
        var quality = record.GetProperty("quality").GetProperty("caller");
        Assert.Equal(1, quality.GetProperty("samples").GetInt32());
        Assert.Equal(4.38, quality.GetProperty("mos").GetProperty("avg").GetDouble());
        Assert.Equal(42.5, quality.GetProperty("rttMs").GetProperty("max").GetDouble());
        Assert.Equal(31.9, quality.GetProperty("audioBitrateKbps").GetProperty("min").GetDouble());
        Assert.Equal(1, quality.GetProperty("worstWindow").GetProperty("samples").GetInt32());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("quality").GetProperty("callee").ValueKind);

        var history = await HistoryEntryAsync(p.CalleeUser, callId);
        Assert.Equal("Resolved, thanks", history.Str("endReasonText"));
        Assert.Equal("T-42", history.GetProperty("customParameters").GetProperty("caller").GetProperty("ticket").GetString());
        Assert.Equal(1, history.GetProperty("quality").GetProperty("caller").GetProperty("samples").GetInt32());

        using var afterEnd = await AdminAsync(HttpMethod.Get, $"/api/v1/admin/calls/{callId}");
        Assert.Equal("Resolved, thanks", (await afterEnd.Content.ReadFromJsonAsync<JsonElement>()).Str("endReasonText"));
    }

    public static TheoryData<string> BadParameters => new()
    {
        "\"text\"",
        "[\"a\"]",
        "{\"k\":5}",
        "{\"k\":null}",
        "{\"bad key\":\"v\"}",
        "{\"\":\"v\"}",
        "{\"k\":\"" + new string('v', 513) + "\"}",
        "{" + string.Join(',', Enumerable.Range(0, 17).Select(i => $"\"k{i}\":\"v\"")) + "}",
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task Bad_custom_parameters_are_InvalidArgument_and_change_nothing(string json)
    {
        var parameters = JsonDocument.Parse(json).RootElement.Clone();
        await using var p = await Scenario.ConnectedAsync(server);
        var created = await p.Caller.CreateCallAsync(p.CalleeUser.Address);

        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("EstablishCall", created.CallId, Sdp.Audio(), parameters));
        await p.Caller.AssertUnchangedAsync(created);

        await p.Caller.InvokeAsync("EstablishCall", created.CallId, Sdp.Audio());
        await p.Callee.WaitForIncomingCallAsync(created.CallId);
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Callee.InvokeAsync("AcceptCall", created.CallId, Sdp.Audio(), parameters));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Callee.InvokeAsync("RejectCall", created.CallId, parameters));
        await p.Callee.InvokeAsync("AcceptCall", created.CallId, Sdp.Audio());
        await p.Caller.WaitForStateAsync(created.CallId, "InCall");
        var inCall = await p.Caller.GetCallAsync(created.CallId);
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("SendCustomParameters", created.CallId, parameters));
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("EndCall", created.CallId, null, parameters));
        await p.Caller.AssertUnchangedAsync(inCall);
        await p.Callee.AssertNoEventAsync(CallEvents.CustomParametersReceived, window: TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task An_end_reason_text_over_256_characters_is_InvalidArgument()
    {
        await using var p = await Scenario.InCallAsync(server);
        var before = await p.Caller.GetCallAsync(p.CallId);
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("EndCall", p.CallId, new string('x', 257)));
        await p.Caller.AssertUnchangedAsync(before);
        await p.Caller.InvokeAsync("EndCall", p.CallId, new string('y', 256));
        Assert.Equal(256, (await p.Callee.WaitForStateAsync(p.CallId, "Ended")).EndReasonText!.Length);
    }

    [Fact]
    public async Task A_reject_with_parameters_tells_the_caller_before_the_end()
    {
        await using var p = await Scenario.RingingAsync(server);
        await p.Callee.InvokeAsync("RejectCall", p.CallId, new Dictionary<string, string> { ["why"] = "meeting" });

        var parameters = await p.Caller.WaitForEventAsync(CallEvents.CustomParametersReceived, a => a[0].GetString() == p.CallId);
        Assert.Equal("meeting", parameters[1].GetProperty("why").GetString());
        await p.Caller.WaitForStateAsync(p.CallId, "Ended", "Rejected");
    }

    // ---- Quality ----

    public static TheoryData<string> BadSamples => new()
    {
        "\"good\"",
        "{}",
        "{\"rttMs\":10,\"jitterMs\":1,\"packetLossPercent\":0}",
        "{\"rttMs\":10,\"jitterMs\":1,\"packetLossPercent\":0,\"mos\":7}",
        "{\"rttMs\":-1,\"jitterMs\":1,\"packetLossPercent\":0,\"mos\":4}",
        "{\"rttMs\":10,\"jitterMs\":1,\"packetLossPercent\":101,\"mos\":4}",
        "{\"rttMs\":\"10\",\"jitterMs\":1,\"packetLossPercent\":0,\"mos\":4}",
        "{\"rttMs\":10,\"jitterMs\":1,\"packetLossPercent\":0,\"mos\":4,\"videoBitrateKbps\":-3}",
    };

    [Theory]
    [MemberData(nameof(BadSamples))]
    public async Task An_implausible_quality_sample_is_InvalidArgument(string json)
    {
        var sample = JsonDocument.Parse(json).RootElement.Clone();
        await using var p = await Scenario.InCallAsync(server);
        var before = await p.Caller.GetCallAsync(p.CallId);
        await CallEvents.AssertRefusedAsync("InvalidArgument", () => p.Caller.InvokeAsync("ReportQuality", p.CallId, sample));
        await p.Caller.AssertUnchangedAsync(before);
    }

    [Fact]
    public async Task Quality_is_reported_at_most_once_a_second_per_side_only_on_a_connected_call_and_counted_in_the_mos_histogram()
    {
        await using var ringing = await Scenario.RingingAsync(server);
        await CallEvents.AssertRefusedAsync("InvalidState", () => ringing.Caller.InvokeAsync("ReportQuality", ringing.CallId, Sample));

        await using var p = await Scenario.InCallAsync(server);
        await p.Caller.InvokeAsync("ReportQuality", p.CallId, Sample);
        await CallEvents.AssertRefusedAsync("RateLimited", () => p.Caller.InvokeAsync("ReportQuality", p.CallId, Sample));
        await p.Callee.InvokeAsync("ReportQuality", p.CallId, Sample);
        await p.Caller.AssertNoEventAsync(CallEvents.CustomParametersReceived, window: TimeSpan.FromMilliseconds(100));

        var eveUser = await server.CreateUserAsync("eve");
        await using var eve = await server.ConnectAsync(eveUser);
        await CallEvents.AssertRefusedAsync("CallNotFound", () => eve.InvokeAsync("ReportQuality", p.CallId, Sample));

        var metrics = await Poll.UntilAsync(
            async () => await server.Http.GetStringAsync("/metrics"),
            text => text.Contains("callserver_call_quality_mos_bucket", StringComparison.Ordinal) && text.Contains("side=\"callee\"", StringComparison.Ordinal),
            "the MOS histogram in /metrics");
        Assert.Contains("side=\"caller\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_admin_call_lookup_needs_the_key_and_a_known_call()
    {
        await using var p = await Scenario.RingingAsync(server);
        using (var noKey = await AdminAsync(HttpMethod.Get, $"/api/v1/admin/calls/{p.CallId}", adminKey: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        }

        using (var wrongKey = await AdminAsync(HttpMethod.Get, $"/api/v1/admin/calls/{p.CallId}", adminKey: "not-the-key"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        using (var unknown = await AdminAsync(HttpMethod.Get, "/api/v1/admin/calls/no-such-call"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using var known = await AdminAsync(HttpMethod.Get, $"/api/v1/admin/calls/{p.CallId}");
        var call = await known.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("Ringing", p.CallerUser.Address, p.CalleeUser.Address), (call.Str("state"), call.Str("caller"), call.Str("callee")));
    }

    private WebhookReceiver Receiver => server.Receiver;

    /// <summary>Carol (a new user) calls the callee of <paramref name="p"/>, in a call: its device rings with the call waiting.</summary>
    private async Task<(HubTestClient Carol, CallView Second)> CallWaitingAsync(TwoParties p)
    {
        var carol = await server.ConnectAsync(await server.CreateUserAsync("carol"));
        var second = await carol.CreateCallAsync(p.CalleeUser.Address);
        await carol.InvokeAsync("EstablishCall", second.CallId, Sdp.Audio());
        await p.Callee.WaitForIncomingCallAsync(second.CallId);
        return (carol, second);
    }

    private async Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path, object? body = null, string? adminKey = CallServerFixture.AdminKey)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null || method == HttpMethod.Patch)
        {
            request.Content = JsonContent.Create(body);
        }

        if (adminKey is not null)
        {
            request.Headers.Add("X-Admin-Key", adminKey);
        }

        return await server.Http.SendAsync(request);
    }

    private async Task<JsonElement> HistoryEntryAsync(TestUser user, string callId) =>
        await Poll.UntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/call-history");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
                using var response = await server.Http.SendAsync(request);
                var items = await response.Content.ReadFromJsonAsync<JsonElement>();
                return items.EnumerateArray().FirstOrDefault(e => e.Str("callId") == callId);
            },
            entry => entry.ValueKind == JsonValueKind.Object,
            $"{callId} in the history");
}
