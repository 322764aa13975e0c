using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Identity;

/// <summary>
/// Tokens of the app's identity provider (<c>Auth:ExternalIssuers</c>), against a loopback OpenID Connect
/// stand-in with real discovery and JWKS documents and keys made here: the user it names is a CallServer
/// user (created on first use), and everything else is refused; keys rotate; forged key ids cannot make the
/// server hammer the provider; a provider that does not answer is a bounded 503, and cached keys keep working.
/// </summary>
public sealed class ExternalIssuerTests(ExternalIssuerFixture server) : IClassFixture<ExternalIssuerFixture>
{
    private static Dictionary<string, object> Claims(string username, string? name = null, string scope = "calls")
    {
        var claims = new Dictionary<string, object> { ["sub"] = "idp|" + username, ["preferred_username"] = username, ["scope"] = scope };
        if (name is not null)
        {
            claims["name"] = name;
        }

        return claims;
    }

    private static string NewName(string prefix) => $"{prefix}-{CallServerFixture.Suffix()}";

    private async Task<HttpStatusCode> HistoryStatusAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/call-history");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task<string?> ProblemCodeAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/call-history");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await server.Http.SendAsync(request);
        return response.IsSuccessStatusCode ? null : (await response.Content.ReadFromJsonAsync<JsonElement>()).Str("code");
    }

    [Fact]
    public async Task RS256_and_ES256_tokens_name_users_created_on_first_use_who_call_each_other_with_their_display_names()
    {
        var (dana, erin) = (NewName("dana"), NewName("erin"));
        var danaToken = server.Idp.Token("rsa-1", Claims(dana, "Dana D."));
        var erinToken = server.Idp.Token("ec-1", Claims(erin));
        Assert.Equal(HttpStatusCode.OK, await HistoryStatusAsync(danaToken));
        Assert.Equal(HttpStatusCode.OK, await HistoryStatusAsync(server.Idp.Token("rsa-1", Claims(dana), algorithm: "PS256")));

        using var admin = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/users/{dana}");
        admin.Headers.Add("X-Admin-Key", CallServerFixture.AdminKey);
        using (var user = await server.Http.SendAsync(admin))
        {
            Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        }

        // A user of the identity provider has no password: it never signs in with one.
        using (var login = await server.Http.PostAsJsonAsync("/api/v1/auth/token", new { username = dana, password = "any-password-at-all" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }

        await using var danaPhone = await server.ConnectWithTokenAsync(danaToken, "dana");
        await using var erinPhone = await server.ConnectWithTokenAsync(erinToken, "erin");
        var call = await danaPhone.CreateCallAsync(erin);
        Assert.Equal($"{erin}@{CallServerFixture.Domain}", call.RemoteAddress);
        await danaPhone.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        var (incoming, _) = await erinPhone.WaitForIncomingCallAsync(call.CallId);
        Assert.Equal(($"{dana}@{CallServerFixture.Domain}", "Dana D."), (incoming.RemoteAddress, incoming.RemoteDisplayName));
        await erinPhone.InvokeAsync("AcceptCall", call.CallId, Sdp.Audio());
        await danaPhone.WaitForStateAsync(call.CallId, "InCall");
    }

    public static TheoryData<string> Refused => new()
    {
        "wrong audience", "wrong issuer", "expired", "wrong key", "HMAC", "alg none", "no required claim", "not a username", "reserved username",
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_token_that_is_not_the_providers_own_for_us_is_401_and_creates_no_user(string what)
    {
        var name = NewName("mallory");
        var claims = Claims(name);
        var idp = server.Idp;
        var token = what switch
        {
            "wrong audience" => idp.Token("rsa-1", claims, audience: "another-app"),
            "wrong issuer" => idp.Token("rsa-1", claims, issuer: "https://idp.example.invalid"),
            "expired" => idp.Token("rsa-1", claims, lifetime: TimeSpan.FromMinutes(-2)),
            "wrong key" => idp.ForgedToken("rsa-1", claims),
            "HMAC" => idp.HmacToken("rsa-1", claims),
            "alg none" => idp.UnsignedToken(claims),
            "no required claim" => idp.Token("rsa-1", Claims(name, scope: "profile")),
            "not a username" => idp.Token("rsa-1", Claims("no spaces allowed")),
            _ => idp.Token("rsa-1", Claims(server.GatewayUsername)),
        };

        Assert.Equal("Unauthorized", await ProblemCodeAsync(token));
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => server.ConnectWithTokenAsync(token, "mallory"));
        Assert.Contains("401", refused.ToString(), StringComparison.Ordinal);
        using var admin = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/users/{name}");
        admin.Headers.Add("X-Admin-Key", CallServerFixture.AdminKey);
        using var user = await server.Http.SendAsync(admin);
        Assert.Equal(HttpStatusCode.NotFound, user.StatusCode);
    }

    [Fact]
    public async Task A_rotated_key_is_accepted_once_the_keys_are_fetched_again_and_a_flood_of_unknown_kids_fetches_them_a_bounded_number_of_times()
    {
        var name = NewName("rotating");
        Assert.Equal(HttpStatusCode.OK, await HistoryStatusAsync(server.Idp.Token("rsa-1", Claims(name))));

        // Rotation: a new key appears; a token signed with it asks for the keys again (at most every 2 s).
        var kid = "rsa-" + CallServerFixture.Suffix();
        server.Idp.AddRsaKey(kid);
        var rotated = server.Idp.Token(kid, Claims(name));
        await Poll.UntilAsync(async () => await HistoryStatusAsync(rotated) == HttpStatusCode.OK, "the rotated key is accepted", TimeSpan.FromSeconds(15));

        // 60 tokens with forged key ids within about a second: the keys are fetched again at most twice.
        var before = server.Idp.JwksRequests;
        var watch = Stopwatch.StartNew();
        var forged = Enumerable.Range(0, 60).Select(i => server.Idp.ForgedToken($"forged-{i}-{CallServerFixture.Suffix()}", Claims(name))).ToList();
        var statuses = await Task.WhenAll(forged.Select(HistoryStatusAsync));
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        var fetches = server.Idp.JwksRequests - before;
        var allowed = 1 + (int)(watch.Elapsed.TotalSeconds / 2) + 1;
        Assert.True(fetches <= allowed, $"{fetches} JWKS fetches for 60 forged kids in {watch.Elapsed.TotalSeconds:0.0} s (at most {allowed})");

        // The provider stops answering: tokens of the keys already fetched keep working, at once.
        server.Idp.Hang();
        try
        {
            var during = Stopwatch.StartNew();
            Assert.Equal(HttpStatusCode.OK, await HistoryStatusAsync(server.Idp.Token("ec-1", Claims(name))));
            Assert.True(during.Elapsed < TimeSpan.FromSeconds(2), $"a cached key answered in {during.Elapsed.TotalMilliseconds:0} ms");
        }
        finally
        {
            server.Idp.Recover();
        }
    }

    [Fact]
    public async Task A_user_of_the_provider_is_a_full_user_the_admin_deletes_and_its_connection_closes()
    {
        var name = NewName("leaving");
        var token = server.Idp.Token("rsa-1", Claims(name));
        await using var phone = await server.ConnectWithTokenAsync(token, name);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/users/{name}");
        delete.Headers.Add("X-Admin-Key", CallServerFixture.AdminKey);
        using (var deleted = await server.Http.SendAsync(delete))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await phone.Closed.WaitAsync(HubTestClient.DefaultTimeout);
    }
}

/// <summary>An identity provider that does not answer when the server starts: a bounded 503, then it works once it answers.</summary>
public sealed class IdpDownAtStartTests(IdpDownAtStartFixture server) : IClassFixture<IdpDownAtStartFixture>
{
    [Fact]
    public async Task A_token_is_503_Unavailable_within_the_metadata_timeout_then_accepted_once_the_provider_answers()
    {
        var token = server.Idp.Token("rsa-1", new Dictionary<string, object> { ["preferred_username"] = "late-" + CallServerFixture.Suffix(), ["scope"] = "calls" });
        var watch = Stopwatch.StartNew();
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/call-history"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await server.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("Unavailable", (await response.Content.ReadFromJsonAsync<JsonElement>()).Str("code"));
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"answered after {watch.Elapsed.TotalSeconds:0.0} s (metadata timeout 2 s)");

        server.Idp.Recover();
        await Poll.UntilAsync(
            async () =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/call-history");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                using var response = await server.Http.SendAsync(request);
                return response.StatusCode == HttpStatusCode.OK;
            },
            "the token is accepted once the provider answers",
            TimeSpan.FromSeconds(15));
    }
}
