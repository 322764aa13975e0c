using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CallServer.Tests.History;

/// <summary>
/// Call history over the real hub (the official SignalR client) and REST: every party of an ended call finds
/// it as it saw it, newest first and paged; a user removes one or all of its calls and its devices hear of
/// each change; the admin reads anyone's; anonymous callers have none; a deleted user's goes with it; each
/// history keeps at most <see cref="HistoryFixture.MaxEntries"/> calls.
/// </summary>
public sealed class CallHistoryTests(HistoryFixture server) : IClassFixture<HistoryFixture>
{
    private static readonly string[] ItemFields =
        [
            "answeredAt", "callId", "createdAt", "customParameters", "direction", "durationSeconds", "endReason", "endReasonText", "endedAt",
            "missed", "next", "pulledAt", "quality", "remoteAddress", "remoteDisplayName", "statusCode", "transferredFrom", "transferredTo", "video",
        ];

    private static Func<JsonElement[], bool> Change(string change, string? callId) =>
        a => a[0].Str("change") == change && a[0].Str("callId") == callId;

    /// <summary>Waits until <paramref name="devices"/> heard that the call was added to their history.</summary>
    private static Task WaitAddedAsync(string callId, params HubTestClient[] devices) =>
        Task.WhenAll(devices.Select(d => d.WaitForEventAsync(CallEvents.CallHistoryChanged, Change("added", callId))));

    private static JsonElement Only(JsonElement[] items, string callId) => Assert.Single(items, i => i.Str("callId") == callId);

    private static DateTime Time(JsonElement item, string field) =>
        DateTime.Parse(item.Str(field)!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    /// <summary>A call from <paramref name="caller"/> to <paramref name="callee"/> that the callee answers and the caller ends; both heard of its history.</summary>
    private static async Task<string> AnsweredCallAsync(HubTestClient caller, HubTestClient callee, string calleeAddress)
    {
        var call = await caller.CreateCallAsync(calleeAddress);
        await caller.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await callee.WaitForIncomingCallAsync(call.CallId);
        await callee.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await caller.WaitForStateAsync(call.CallId, "InCall");
        await caller.InvokeAsync("EndCall", call.CallId);
        await WaitAddedAsync(call.CallId, caller, callee);
        return call.CallId;
    }

    [Fact]
    public async Task An_answered_call_is_in_both_histories_as_each_party_saw_it()
    {
        await using var parties = await Scenario.InCallAsync(server, Sdp.Video(), Sdp.Video());
        await parties.Caller.InvokeAsync("EndCall", parties.CallId);
        await WaitAddedAsync(parties.CallId, parties.Caller, parties.Callee);

        var outgoing = Assert.Single(await server.HistoryAsync(parties.CallerUser));
        Assert.Equal(ItemFields, outgoing.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(parties.CallId, outgoing.Str("callId"));
        Assert.Equal("outgoing", outgoing.Str("direction"));
        Assert.Equal(parties.CalleeUser.Address, outgoing.Str("remoteAddress"));
        Assert.False(outgoing.GetProperty("missed").GetBoolean());
        Assert.Equal("EndedLocally", outgoing.Str("endReason"));
        Assert.Equal(9901, outgoing.GetProperty("statusCode").GetInt32());
        Assert.True(outgoing.GetProperty("video").GetBoolean());
        Assert.NotNull(outgoing.Str("answeredAt"));
        Assert.InRange(Time(outgoing, "createdAt"), DateTime.UtcNow.AddMinutes(-1), Time(outgoing, "answeredAt"));
        Assert.InRange(Time(outgoing, "answeredAt"), Time(outgoing, "createdAt"), Time(outgoing, "endedAt"));
        var inCall = (Time(outgoing, "endedAt") - Time(outgoing, "answeredAt")).TotalSeconds;
        Assert.InRange(outgoing.GetProperty("durationSeconds").GetDouble(), inCall - 0.002, inCall + 0.002); // times and duration are each kept to the ms
        Assert.EndsWith("Z", outgoing.Str("endedAt"), StringComparison.Ordinal);

        var incoming = Assert.Single(await server.HistoryAsync(parties.CalleeUser));
        Assert.Equal(parties.CallId, incoming.Str("callId"));
        Assert.Equal("incoming", incoming.Str("direction"));
        Assert.Equal(parties.CallerUser.Address, incoming.Str("remoteAddress"));
        Assert.False(incoming.GetProperty("missed").GetBoolean());
        Assert.Equal("EndedRemotely", incoming.Str("endReason"));
        Assert.Equal(outgoing.Str("endedAt"), incoming.Str("endedAt"));
        Assert.Equal(outgoing.Str("answeredAt"), incoming.Str("answeredAt"));
        Assert.Equal(outgoing.GetProperty("durationSeconds").GetDouble(), incoming.GetProperty("durationSeconds").GetDouble());
    }

    [Fact]
    public async Task A_call_the_caller_cancels_while_it_rings_is_missed_for_the_callee_only()
    {
        await using var parties = await Scenario.RingingAsync(server);
        await parties.Caller.InvokeAsync("EndCall", parties.CallId);
        await WaitAddedAsync(parties.CallId, parties.Caller, parties.Callee);

        var outgoing = Assert.Single(await server.HistoryAsync(parties.CallerUser));
        Assert.Equal("outgoing", outgoing.Str("direction"));
        Assert.False(outgoing.GetProperty("missed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, outgoing.GetProperty("answeredAt").ValueKind);
        Assert.Equal(0, outgoing.GetProperty("durationSeconds").GetDouble());

        var missed = Assert.Single(await server.HistoryAsync(parties.CalleeUser));
        Assert.Equal("incoming", missed.Str("direction"));
        Assert.True(missed.GetProperty("missed").GetBoolean());
        Assert.Equal(parties.CallerUser.Address, missed.Str("remoteAddress"));
        Assert.Equal(JsonValueKind.Null, missed.GetProperty("answeredAt").ValueKind);
        Assert.False(missed.GetProperty("video").GetBoolean());
    }

    [Fact]
    public async Task A_call_the_callee_rejects_is_not_missed()
    {
        await using var parties = await Scenario.RingingAsync(server);
        await parties.Callee.InvokeAsync("RejectCall", parties.CallId);
        await WaitAddedAsync(parties.CallId, parties.Caller, parties.Callee);

        var rejected = Assert.Single(await server.HistoryAsync(parties.CalleeUser));
        Assert.False(rejected.GetProperty("missed").GetBoolean());
        Assert.Equal("Rejected", rejected.Str("endReason"));
        var refused = Assert.Single(await server.HistoryAsync(parties.CallerUser));
        Assert.Equal("Rejected", refused.Str("endReason"));
        Assert.False(refused.GetProperty("missed").GetBoolean());
        Assert.Equal("outgoing", refused.Str("direction"));
    }

    [Fact]
    public async Task A_forwarded_call_is_in_the_history_of_each_account_as_it_saw_it()
    {
        await using var parties = await Scenario.RingingAsync(server);
        var targetUser = await server.CreateUserAsync("target");
        await using var target = await server.ConnectAsync(targetUser);
        await parties.Callee.InvokeAsync("ForwardCall", parties.CallId, targetUser.Username);
        await target.WaitForIncomingCallAsync(parties.CallId);
        await target.InvokeAsync("AcceptCall", parties.CallId, Sdp.Audio());
        await parties.Caller.WaitForStateAsync(parties.CallId, "InCall");
        await target.InvokeAsync("EndCall", parties.CallId);
        await WaitAddedAsync(parties.CallId, parties.Caller, parties.Callee, target);

        var caller = Assert.Single(await server.HistoryAsync(parties.CallerUser));
        Assert.Equal("outgoing", caller.Str("direction"));
        Assert.Equal(targetUser.Address, caller.Str("remoteAddress"));
        Assert.Equal("EndedRemotely", caller.Str("endReason"));
        Assert.NotNull(caller.Str("answeredAt"));

        var forwarder = Assert.Single(await server.HistoryAsync(parties.CalleeUser));
        Assert.Equal("incoming", forwarder.Str("direction"));
        Assert.Equal(parties.CallerUser.Address, forwarder.Str("remoteAddress"));
        Assert.Equal("Forwarded", forwarder.Str("endReason"));
        Assert.Equal(9908, forwarder.GetProperty("statusCode").GetInt32());
        Assert.False(forwarder.GetProperty("missed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, forwarder.GetProperty("answeredAt").ValueKind);
        Assert.Equal(0, forwarder.GetProperty("durationSeconds").GetDouble());

        var answerer = Assert.Single(await server.HistoryAsync(targetUser));
        Assert.Equal("incoming", answerer.Str("direction"));
        Assert.Equal(parties.CallerUser.Address, answerer.Str("remoteAddress"));
        Assert.Equal("EndedLocally", answerer.Str("endReason"));
        Assert.False(answerer.GetProperty("missed").GetBoolean());
        Assert.Equal(caller.Str("answeredAt"), answerer.Str("answeredAt"));
    }

    [Fact]
    public async Task A_call_to_a_telephone_number_is_in_the_callers_history_with_the_number_dialed()
    {
        var callerUser = await server.CreateUserAsync("phoner", "+15550100777");
        await using var caller = await server.ConnectAsync(callerUser);
        await using var gateway = await server.ConnectAsync(server.Gateway, "gateway-" + CallServerFixture.Suffix());
        var callId = await AnsweredCallAsync(caller, gateway, "tel:+15551234567");

        var outgoing = Assert.Single(await server.HistoryAsync(callerUser));
        Assert.Equal("tel:+15551234567", outgoing.Str("remoteAddress"));
        Assert.Equal("outgoing", outgoing.Str("direction"));

        var atGateway = Only(await server.HistoryAsync(server.Gateway, "?limit=200"), callId);
        Assert.Equal("incoming", atGateway.Str("direction"));
        Assert.Equal(callerUser.Address, atGateway.Str("remoteAddress"));
    }

    [Fact]
    public async Task The_history_is_newest_first_and_pages_with_limit_and_before()
    {
        await using var parties = await Scenario.ConnectedAsync(server);
        var calls = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            calls.Add(await AnsweredCallAsync(parties.Caller, parties.Callee, parties.CalleeUser.Address));
        }

        var all = await server.HistoryAsync(parties.CallerUser);
        Assert.Equal([calls[2], calls[1], calls[0]], all.Select(i => i.Str("callId")));

        var first = await server.HistoryAsync(parties.CallerUser, "?limit=2");
        Assert.Equal([calls[2], calls[1]], first.Select(i => i.Str("callId")));
        var second = await server.HistoryAsync(parties.CallerUser, "?limit=2&before=" + Uri.EscapeDataString(first[^1].Str("endedAt")!));
        Assert.Equal([calls[0]], second.Select(i => i.Str("callId")));
        Assert.Empty(await server.HistoryAsync(parties.CallerUser, "?limit=2&before=" + Uri.EscapeDataString(second[^1].Str("endedAt")!)));

        // The callee's pages are its own, as it saw the same calls.
        var callee = await server.HistoryAsync(parties.CalleeUser, "?limit=1");
        Assert.Equal(calls[2], Assert.Single(callee).Str("callId"));
        Assert.Equal("incoming", callee[0].Str("direction"));
    }

    [Fact]
    public async Task The_history_pages_by_next_and_a_full_page_links_to_the_next_one()
    {
        await using var parties = await Scenario.ConnectedAsync(server);
        var calls = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            calls.Add(await AnsweredCallAsync(parties.Caller, parties.Callee, parties.CalleeUser.Address));
        }

        using var firstResponse = await server.SendAsync(HttpMethod.Get, "/api/v1/call-history?limit=2", parties.CallerUser.Token);
        Assert.Equal(HttpStatusCode.OK, firstResponse.StatusCode);
        var first = (await firstResponse.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToArray();
        Assert.Equal([calls[2], calls[1]], first.Select(i => i.Str("callId")));
        var next = first[^1].Str("next")!;
        Assert.False(string.IsNullOrEmpty(next));
        var link = Assert.Single(firstResponse.Headers.GetValues("Link"));
        Assert.Equal($"</api/v1/call-history?limit=2&next={Uri.EscapeDataString(next)}>; rel=\"next\"", link);

        using var secondResponse = await server.SendAsync(HttpMethod.Get, "/api/v1/call-history?limit=2&next=" + Uri.EscapeDataString(next), parties.CallerUser.Token);
        var second = (await secondResponse.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().ToArray();
        Assert.Equal([calls[0]], second.Select(i => i.Str("callId")));
        Assert.False(secondResponse.Headers.Contains("Link")); // a short page is the last
        Assert.Empty(await server.HistoryAsync(parties.CallerUser, "?next=" + Uri.EscapeDataString(second[^1].Str("next")!)));

        // The admin pages the same way.
        using var admin = await server.SendAsync(HttpMethod.Get, $"/api/v1/users/{parties.CallerUser.Username}/call-history?limit=2&next={Uri.EscapeDataString(next)}", adminKey: CallServerFixture.AdminKey);
        Assert.Equal([calls[0]], (await admin.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(i => i.Str("callId")));
    }

    [Fact]
    public async Task A_deleted_entry_stays_deleted_when_the_outbox_delivers_its_record_again()
    {
        await using var parties = await Scenario.ConnectedAsync(server);
        var callId = await AnsweredCallAsync(parties.Caller, parties.Callee, parties.CalleeUser.Address);
        using (var response = await server.SendAsync(HttpMethod.Delete, $"/api/v1/call-history/{callId}", parties.CalleeUser.Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        // The history message of the call, appended again (a redelivery), and worked by the writer.
        var call = await server.Services.GetRequiredService<CallServer.Domain.Ports.ICallStore>().GetAsync(callId);
        var outbox = Assert.IsType<CallServer.Adapters.Outbox.InMemoryOutbox>(server.Services.GetRequiredService<CallServer.Domain.Ports.IOutbox>());
        outbox.Append(new CallServer.Domain.Ports.OutboxMessage(CallServer.Outbox.OutboxTopic.History, callId, CallServer.Outbox.OutboxJson.Write(CallServer.Outbox.CallOutbox.History(call!))));
        server.Services.GetRequiredService<CallServer.Outbox.OutboxSignal>().Set(CallServer.Outbox.OutboxTopic.History);
        await Poll.UntilAsync(async () => await outbox.BacklogAsync(CallServer.Outbox.OutboxTopic.History) == 0, "the record worked again");

        Assert.DoesNotContain(callId, (await server.HistoryAsync(parties.CalleeUser)).Select(i => i.Str("callId")));
        Assert.Contains(callId, (await server.HistoryAsync(parties.CallerUser)).Select(i => i.Str("callId")));
        await parties.Callee.AssertNoEventAsync(CallEvents.CallHistoryChanged, Change("added", callId));
    }

    [Theory]
    [InlineData("?next=")]
    [InlineData("?next=abc")]
    [InlineData("?next=_call-1")]
    [InlineData("?next=123_")]
    [InlineData("?next=-5_call-1")]
    [InlineData("?next=99999999999999999999_call-1")]
    [InlineData("?next=1741944413000_call-1&before=2025-03-14T09:26:53.123Z")]
    public async Task A_next_that_is_no_cursor_or_given_with_before_is_400_InvalidArgument(string query)
    {
        var user = await server.CreateUserAsync("pager");
        using var response = await server.SendAsync(HttpMethod.Get, "/api/v1/call-history" + query, user.Token);
        Assert.Equal("InvalidArgument", await HistoryFixture.ProblemCodeAsync(response, HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("?limit=0")]
    [InlineData("?limit=201")]
    [InlineData("?limit=-1")]
    [InlineData("?limit=ten")]
    [InlineData("?limit=")]
    [InlineData("?before=yesterday")]
    [InlineData("?before=2025-13-40T00:00:00Z")]
    [InlineData("?before=1741944413000")]
    public async Task A_limit_outside_1_to_200_or_a_before_that_is_no_ISO_8601_time_is_400_InvalidArgument(string query)
    {
        var user = await server.CreateUserAsync("pager");
        using var response = await server.SendAsync(HttpMethod.Get, "/api/v1/call-history" + query, user.Token);
        Assert.Equal("InvalidArgument", await HistoryFixture.ProblemCodeAsync(response, HttpStatusCode.BadRequest));

        using var admin = await server.SendAsync(HttpMethod.Get, $"/api/v1/users/{user.Username}/call-history" + query, adminKey: CallServerFixture.AdminKey);
        Assert.Equal("InvalidArgument", await HistoryFixture.ProblemCodeAsync(admin, HttpStatusCode.BadRequest));
    }

    [Theory]
    [InlineData("?limit=1")]
    [InlineData("?limit=200")]
    [InlineData("?before=2025-03-14T09:26:53.123Z")]
    [InlineData("?before=2025-03-14T10:26:53%2B01:00&limit=50")]
    public async Task The_bounds_of_limit_and_an_ISO_8601_before_are_accepted(string query)
    {
        var user = await server.CreateUserAsync("pager");
        Assert.Empty(await server.HistoryAsync(user, query));
    }

    [Fact]
    public async Task Deleting_one_call_removes_it_from_that_history_only_and_tells_every_device_of_the_user()
    {
        var callerUser = await server.CreateUserAsync("caller");
        var calleeUser = await server.CreateUserAsync("callee");
        await using var caller = await server.ConnectAsync(callerUser);
        await using var phone = await server.ConnectAsync(calleeUser, "phone");
        await using var laptop = await server.ConnectAsync(calleeUser, "laptop");
        var kept = await AnsweredCallAsync(caller, phone, calleeUser.Address);
        await laptop.WaitForEventAsync(CallEvents.CallHistoryChanged, Change("added", kept));
        var deleted = await AnsweredCallAsync(caller, phone, calleeUser.Address);
        await laptop.WaitForEventAsync(CallEvents.CallHistoryChanged, Change("added", deleted));

        using (var response = await server.SendAsync(HttpMethod.Delete, $"/api/v1/call-history/{deleted}", calleeUser.Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        await phone.WaitForEventAsync(CallEvents.CallHistoryChanged, Change("removed", deleted));
        await laptop.WaitForEventAsync(CallEvents.CallHistoryChanged, Change("removed", deleted));
        await caller.AssertNoEventAsync(CallEvents.CallHistoryChanged, Change("removed", deleted));
        Assert.Equal([kept], (await server.HistoryAsync(calleeUser)).Select(i => i.Str("callId")));
        Assert.Equal([deleted, kept], (await server.HistoryAsync(callerUser)).Select(i => i.Str("callId")));

        using var again = await server.SendAsync(HttpMethod.Delete, $"/api/v1/call-history/{deleted}", calleeUser.Token);
        Assert.Equal("CallNotFound", await HistoryFixture.ProblemCodeAsync(again, HttpStatusCode.NotFound));
        using var unknown = await server.SendAsync(HttpMethod.Delete, "/api/v1/call-history/no-such-call", calleeUser.Token);
        Assert.Equal("CallNotFound", await HistoryFixture.ProblemCodeAsync(unknown, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Deleting_all_clears_that_history_only_and_tells_every_device_of_the_user()
    {
        var callerUser = await server.CreateUserAsync("caller");
        var calleeUser = await server.CreateUserAsync("callee");
        await using var caller = await server.ConnectAsync(callerUser);
        await using var phone = await server.ConnectAsync(calleeUser, "phone");
        await using var laptop = await server.ConnectAsync(calleeUser, "laptop");
        var first = await AnsweredCallAsync(caller, phone, calleeUser.Address);
        var second = await AnsweredCallAsync(caller, phone, calleeUser.Address);
        await laptop.WaitForEventAsync(CallEvents.CallHistoryChanged, Change("added", second));

        using (var response = await server.SendAsync(HttpMethod.Delete, "/api/v1/call-history", calleeUser.Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        var cleared = await phone.WaitForEventAsync(CallEvents.CallHistoryChanged, Change("cleared", null));
        Assert.Equal(JsonValueKind.Null, cleared[0].GetProperty("callId").ValueKind);
        await laptop.WaitForEventAsync(CallEvents.CallHistoryChanged, Change("cleared", null));
        await caller.AssertNoEventAsync(CallEvents.CallHistoryChanged, Change("cleared", null));
        Assert.Empty(await server.HistoryAsync(calleeUser));
        Assert.Equal([second, first], (await server.HistoryAsync(callerUser)).Select(i => i.Str("callId")));

        // Clearing an empty history is done too, and tells no one.
        using var again = await server.SendAsync(HttpMethod.Delete, "/api/v1/call-history", calleeUser.Token);
        Assert.Equal(HttpStatusCode.NoContent, again.StatusCode);
        await phone.AssertNoEventAsync(CallEvents.CallHistoryChanged);
    }

    [Fact]
    public async Task The_admin_reads_a_users_history_with_the_admin_key_only()
    {
        await using var parties = await Scenario.ConnectedAsync(server);
        var callId = await AnsweredCallAsync(parties.Caller, parties.Callee, parties.CalleeUser.Address);
        var path = $"/api/v1/users/{parties.CalleeUser.Username}/call-history";

        using (var response = await server.SendAsync(HttpMethod.Get, path + "?limit=10", adminKey: CallServerFixture.AdminKey))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            using var own = await server.SendAsync(HttpMethod.Get, "/api/v1/call-history?limit=10", parties.CalleeUser.Token);
            Assert.Equal(await own.Content.ReadAsStringAsync(), body);
            Assert.Equal(callId, Only([.. JsonDocument.Parse(body).RootElement.EnumerateArray()], callId).Str("callId"));
        }

        using var byAddress = await server.SendAsync(HttpMethod.Get, $"/api/v1/users/{Uri.EscapeDataString(parties.CalleeUser.Address)}/call-history", adminKey: CallServerFixture.AdminKey);
        Assert.Equal(HttpStatusCode.OK, byAddress.StatusCode);

        using var withoutKey = await server.SendAsync(HttpMethod.Get, path);
        Assert.Equal("Unauthorized", await HistoryFixture.ProblemCodeAsync(withoutKey, HttpStatusCode.Unauthorized));
        using var withUserToken = await server.SendAsync(HttpMethod.Get, path, parties.CalleeUser.Token);
        Assert.Equal("Unauthorized", await HistoryFixture.ProblemCodeAsync(withUserToken, HttpStatusCode.Unauthorized));
        using var unknown = await server.SendAsync(HttpMethod.Get, "/api/v1/users/nobody-" + CallServerFixture.Suffix() + "/call-history", adminKey: CallServerFixture.AdminKey);
        Assert.Equal("CalleeNotFound", await HistoryFixture.ProblemCodeAsync(unknown, HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task Anonymous_callers_have_no_history_and_are_refused_403_and_no_token_is_401()
    {
        var anonymous = await server.AnonymousTokenAsync();
        foreach (var (method, path) in new[] { (HttpMethod.Get, "/api/v1/call-history"), (HttpMethod.Delete, "/api/v1/call-history"), (HttpMethod.Delete, "/api/v1/call-history/some-call") })
        {
            using var refused = await server.SendAsync(method, path, anonymous.AccessToken);
            Assert.Equal("Forbidden", await HistoryFixture.ProblemCodeAsync(refused, HttpStatusCode.Forbidden));
            using var noToken = await server.SendAsync(method, path);
            Assert.Equal("Unauthorized", await HistoryFixture.ProblemCodeAsync(noToken, HttpStatusCode.Unauthorized));
        }
    }

    [Fact]
    public async Task A_call_from_an_anonymous_caller_is_in_the_callees_history_with_the_callers_display_name()
    {
        var calleeUser = await server.CreateUserAsync("callee");
        var anonymous = await server.AnonymousTokenAsync([calleeUser.Username], "Website visitor");
        await using var callee = await server.ConnectAsync(calleeUser);
        await using var visitor = await server.ConnectWithTokenAsync(anonymous.AccessToken, "visitor");
        var call = await visitor.CreateCallAsync(calleeUser.Username);
        await visitor.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await callee.WaitForIncomingCallAsync(call.CallId);
        await visitor.InvokeAsync("EndCall", call.CallId);
        await WaitAddedAsync(call.CallId, callee);

        var missed = Assert.Single(await server.HistoryAsync(calleeUser));
        Assert.Equal(anonymous.Address, missed.Str("remoteAddress"));
        Assert.Equal("Website visitor", missed.Str("remoteDisplayName"));
        Assert.True(missed.GetProperty("missed").GetBoolean());
        await visitor.AssertNoEventAsync(CallEvents.CallHistoryChanged);
    }

    [Fact]
    public async Task A_deleted_users_history_is_gone_and_a_new_user_of_that_name_starts_without_it()
    {
        await using var parties = await Scenario.ConnectedAsync(server);
        await AnsweredCallAsync(parties.Caller, parties.Callee, parties.CalleeUser.Address);
        Assert.Single(await server.HistoryAsync(parties.CalleeUser));

        using (var deleted = await server.SendAsync(HttpMethod.Delete, $"/api/v1/users/{parties.CalleeUser.Username}", adminKey: CallServerFixture.AdminKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await server.SendAsync(HttpMethod.Get, $"/api/v1/users/{parties.CalleeUser.Username}/call-history", adminKey: CallServerFixture.AdminKey);
        Assert.Equal("CalleeNotFound", await HistoryFixture.ProblemCodeAsync(gone, HttpStatusCode.NotFound));

        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users") { Content = JsonContent.Create(new { username = parties.CalleeUser.Username, password = CallServerFixture.Password }) })
        {
            request.Headers.Add("X-Admin-Key", CallServerFixture.AdminKey);
            using var created = await server.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var reborn = parties.CalleeUser with { Token = await server.TokenAsync(parties.CalleeUser.Username, CallServerFixture.Password) };
        Assert.Empty(await server.HistoryAsync(reborn));
        using var adminView = await server.SendAsync(HttpMethod.Get, $"/api/v1/users/{parties.CalleeUser.Username}/call-history", adminKey: CallServerFixture.AdminKey);
        Assert.Equal(0, (await adminView.Content.ReadFromJsonAsync<JsonElement>()).GetArrayLength());
        Assert.Single(await server.HistoryAsync(parties.CallerUser));
    }

    [Fact]
    public async Task A_history_keeps_its_newest_calls_up_to_the_bound()
    {
        await using var parties = await Scenario.ConnectedAsync(server);
        var calls = new List<string>();
        for (var i = 0; i < HistoryFixture.MaxEntries + 2; i++)
        {
            calls.Add(await AnsweredCallAsync(parties.Caller, parties.Callee, parties.CalleeUser.Address));
        }

        var newest = calls.AsEnumerable().Reverse().Take(HistoryFixture.MaxEntries).ToList();
        Assert.Equal(newest, (await server.HistoryAsync(parties.CallerUser, "?limit=200")).Select(i => i.Str("callId")));
        Assert.Equal(newest, (await server.HistoryAsync(parties.CalleeUser, "?limit=200")).Select(i => i.Str("callId")));
        using var dropped = await server.SendAsync(HttpMethod.Delete, $"/api/v1/call-history/{calls[0]}", parties.CallerUser.Token);
        Assert.Equal(HttpStatusCode.NotFound, dropped.StatusCode);
    }

    [Fact]
    public async Task The_swagger_document_lists_the_history_routes()
    {
        using var response = await server.Http.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paths");
        Assert.True(paths.GetProperty("/api/v1/call-history").TryGetProperty("get", out var list));
        Assert.False(string.IsNullOrEmpty(list.Str("summary")));
        Assert.True(paths.GetProperty("/api/v1/call-history").TryGetProperty("delete", out _));
        Assert.True(paths.GetProperty("/api/v1/call-history/{callId}").TryGetProperty("delete", out _));
        Assert.True(paths.GetProperty("/api/v1/users/{username}/call-history").TryGetProperty("get", out _));
    }
}
