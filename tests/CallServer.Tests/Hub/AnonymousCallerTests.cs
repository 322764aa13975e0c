using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>Anonymous callers (rule 11): tokens from a server-side component, calls to registered users only.</summary>
public sealed class AnonymousCallerTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    private async Task<HttpResponseMessage> MintAsync(string? apiKey, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/anonymous-tokens") { Content = JsonContent.Create(body) };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await server.Http.SendAsync(request);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.RootElement.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Minting_needs_a_valid_api_key_when_public_tokens_are_off()
    {
        using (var missing = await MintAsync(null, new { }))
        {
            await AssertProblemAsync(missing, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using (var wrong = await MintAsync("not-the-key", new { }))
        {
            await AssertProblemAsync(wrong, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using var ok = await MintAsync(CallServerFixture.AnonymousApiKey, new { displayName = "Website visitor", ttlSeconds = 120 });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var token = await ok.Content.ReadFromJsonAsync<CallServerFixture.TokenResponse>(Json.Options);
        Assert.StartsWith("anonymous-", token!.Address, StringComparison.Ordinal);
        Assert.EndsWith("@" + CallServerFixture.Domain, token.Address, StringComparison.Ordinal);
        Assert.InRange(token.ExpiresAt, DateTimeOffset.UtcNow.AddSeconds(60), DateTimeOffset.UtcNow.AddSeconds(130));
        Assert.False(string.IsNullOrEmpty(token.AccessToken));
    }

    [Fact]
    public async Task Bad_mint_requests_are_problems_with_codes()
    {
        using (var ttl = await MintAsync(CallServerFixture.AnonymousApiKey, new { ttlSeconds = 0 }))
        {
            await AssertProblemAsync(ttl, HttpStatusCode.BadRequest, "InvalidArgument");
        }

        using (var tooLong = await MintAsync(CallServerFixture.AnonymousApiKey, new { ttlSeconds = 24 * 3600 }))
        {
            await AssertProblemAsync(tooLong, HttpStatusCode.BadRequest, "InvalidArgument");
        }

        using (var unknown = await MintAsync(CallServerFixture.AnonymousApiKey, new { allowedCallees = new[] { "nobody-" + CallServerFixture.Suffix() } }))
        {
            await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "CalleeNotFound");
        }

        using var phone = await MintAsync(CallServerFixture.AnonymousApiKey, new { allowedCallees = new[] { "tel:+15551234567" } });
        await AssertProblemAsync(phone, HttpStatusCode.BadRequest, "InvalidAddress");
    }

    [Fact]
    public async Task An_anonymous_caller_calls_a_registered_user_who_sees_its_address_and_display_name()
    {
        var calleeUser = await server.CreateUserAsync("support");
        await using var callee = await server.ConnectAsync(calleeUser);
        var token = await server.AnonymousTokenAsync(displayName: "Website visitor");
        await using var anonymous = await server.ConnectWithTokenAsync(token.AccessToken, "anonymous");

        var call = await anonymous.CreateCallAsync(calleeUser.Username);
        Assert.Equal(token.Address, call.LocalAddress);
        await anonymous.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        var (incoming, _) = await callee.WaitForIncomingCallAsync(call.CallId);
        Assert.Equal(token.Address, incoming.RemoteAddress);
        Assert.Equal("Website visitor", incoming.RemoteDisplayName);

        await callee.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await anonymous.WaitForStateAsync(call.CallId, "InCall");
        Assert.Single(await anonymous.InvokeAsync<CallView[]>("GetActiveCalls"));
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/calls/{call.CallId}"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
            using var response = await server.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var snapshot = await response.Content.ReadFromJsonAsync<CallView>(Json.Options);
            Assert.Equal("InCall", snapshot!.State);
            Assert.Equal(calleeUser.Address, snapshot.RemoteAddress);
        }

        await callee.InvokeAsync("EndCall", call.CallId);
        await anonymous.WaitForStateAsync(call.CallId, "Ended", "EndedRemotely");
    }

    [Fact]
    public async Task A_display_name_reaches_the_callee_without_control_or_bidi_characters_and_one_that_reads_as_an_address_is_refused()
    {
        using (var posing = await MintAsync(CallServerFixture.AnonymousApiKey, new { displayName = "Support <alice@callserver.local>" }))
        {
            await AssertProblemAsync(posing, HttpStatusCode.BadRequest, "InvalidArgument");
        }

        var calleeUser = await server.CreateUserAsync("support");
        await using var callee = await server.ConnectAsync(calleeUser);
        var token = await server.AnonymousTokenAsync(displayName: "Eve\u202Egnp.exe\u0000 \n Visitor");
        await using var anonymous = await server.ConnectWithTokenAsync(token.AccessToken, "anonymous");

        var call = await anonymous.CreateCallAsync(calleeUser.Username);
        await anonymous.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        var (incoming, _) = await callee.WaitForIncomingCallAsync(call.CallId);

        Assert.Equal("Evegnp.exe Visitor", incoming.RemoteDisplayName);
    }

    [Fact]
    public async Task An_anonymous_caller_renews_its_token_and_resumes_its_call_with_the_same_identity()
    {
        var calleeUser = await server.CreateUserAsync("support");
        await using var callee = await server.ConnectAsync(calleeUser);
        var token = await server.AnonymousTokenAsync(allowedCallees: [calleeUser.Address], displayName: "Visitor");
        await using var anonymous = await server.ConnectWithTokenAsync(token.AccessToken, "anonymous");
        var call = await anonymous.CreateCallAsync(calleeUser.Username);
        await anonymous.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await callee.WaitForIncomingCallAsync(call.CallId);
        await callee.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await anonymous.WaitForStateAsync(call.CallId, "InCall");

        // The server-side component (or the page itself) renews with the current token, before it expires.
        using var renewal = new HttpRequestMessage(HttpMethod.Post, "/api/v1/anonymous-tokens/renew");
        renewal.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.AccessToken);
        using var renewed = await server.Http.SendAsync(renewal);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        var fresh = (await renewed.Content.ReadFromJsonAsync<CallServerFixture.TokenResponse>(Json.Options))!;
        Assert.Equal(token.Address, fresh.Address);
        Assert.NotEqual(token.AccessToken, fresh.AccessToken);

        // A connection with the new token takes the call over; the callee hears the renewed caller.
        await using var resumed = await server.ConnectWithTokenAsync(fresh.AccessToken, "anonymous-renewed");
        var snapshot = await resumed.InvokeAsync<CallView>("ResumeCall", call.CallId);
        Assert.Equal("InCall", snapshot.State);
        Assert.Equal("Visitor", (await callee.GetCallAsync(call.CallId)).RemoteDisplayName);
        await resumed.InvokeAsync("Mute", call.CallId);
        await callee.WaitForEventAsync(CallEvents.MediaAttributesChanged, e => e[0].GetProperty("media").GetProperty("remoteMuted").GetBoolean());

        // The renewed token keeps the old one's limits: still only the allowed callee.
        var other = await server.CreateUserAsync("other");
        await CallEvents.AssertRefusedAsync("Forbidden", () => resumed.InvokeAsync("CreateOutgoingCall", other.Username));
    }

    [Fact]
    public async Task A_users_token_is_not_renewed_as_an_anonymous_one()
    {
        var user = await server.CreateUserAsync("named");
        using var renewal = new HttpRequestMessage(HttpMethod.Post, "/api/v1/anonymous-tokens/renew");
        renewal.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.Token);
        using var refused = await server.Http.SendAsync(renewal);
        await AssertProblemAsync(refused, HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task An_anonymous_token_with_allowed_callees_may_call_only_those()
    {
        var allowed = await server.CreateUserAsync("allowed");
        var other = await server.CreateUserAsync("other");
        await using var allowedDevice = await server.ConnectAsync(allowed);
        var token = await server.AnonymousTokenAsync(allowedCallees: [allowed.Username]);
        await using var anonymous = await server.ConnectWithTokenAsync(token.AccessToken, "anonymous");

        await CallEvents.AssertRefusedAsync("Forbidden", () => anonymous.CreateCallAsync(other.Address));
        Assert.Empty(await anonymous.InvokeAsync<CallView[]>("GetActiveCalls"));

        var call = await anonymous.CreateCallAsync(allowed.Address);
        await anonymous.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        await allowedDevice.WaitForIncomingCallAsync(call.CallId);
    }

    [Fact]
    public async Task An_anonymous_caller_may_not_call_a_telephone_number()
    {
        var token = await server.AnonymousTokenAsync();
        await using var anonymous = await server.ConnectWithTokenAsync(token.AccessToken, "anonymous");
        await CallEvents.AssertRefusedAsync("Forbidden", () => anonymous.CreateCallAsync("tel:+15551234567"));
    }

    [Fact]
    public async Task An_anonymous_address_can_never_be_called_nor_be_forwarded_to()
    {
        var token = await server.AnonymousTokenAsync();
        await using var anonymous = await server.ConnectWithTokenAsync(token.AccessToken, "anonymous");
        var user = await server.CreateUserAsync("curious");
        await using var client = await server.ConnectAsync(user);

        await CallEvents.AssertRefusedAsync("Forbidden", () => client.CreateCallAsync(token.Address));
        await CallEvents.AssertRefusedAsync("Forbidden", () => anonymous.CreateCallAsync(token.Address));
        await anonymous.AssertNoEventAsync(CallEvents.IncomingCall, window: TimeSpan.FromMilliseconds(100));

        await using var p = await Scenario.RingingAsync(server);
        await CallEvents.AssertRefusedAsync("InvalidAddress", () => p.Callee.InvokeAsync("ForwardCall", p.CallId, token.Address));
        Assert.Equal("Ringing", (await p.Caller.GetCallAsync(p.CallId)).State);
    }

    [Fact]
    public async Task An_anonymous_address_cannot_log_in_with_a_password()
    {
        var token = await server.AnonymousTokenAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/token")
        {
            Content = JsonContent.Create(new { username = token.Address, password = "whatever-password" }),
        };
        using var response = await server.Http.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }
}
