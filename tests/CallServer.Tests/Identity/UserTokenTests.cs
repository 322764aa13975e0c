using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Identity;

/// <summary>
/// <c>POST /api/v1/user-tokens</c>: the app's backend mints tokens for its users (one of
/// <c>Auth:BackendApiKeys</c>); the account is created on first use with no password; bad input is a clear
/// 400; the lifetime is capped; such a token renews itself; each key has its own rate limit.
/// </summary>
public sealed class UserTokenTests(ExternalIssuerFixture server) : IClassFixture<ExternalIssuerFixture>
{
    private async Task<HttpResponseMessage> MintAsync(object body, string? key = ExternalIssuerFixture.BackendKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/user-tokens") { Content = JsonContent.Create(body) };
        if (key is not null)
        {
            request.Headers.Add("X-Api-Key", key);
        }

        return await server.Http.SendAsync(request);
    }

    private static async Task<string?> CodeOf(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).Str("code");

    [Fact]
    public async Task A_backend_mints_a_token_for_a_new_user_who_calls_a_password_user_with_its_display_name_and_renews_it()
    {
        var name = "app-user-" + CallServerFixture.Suffix();
        using var minted = await MintAsync(new { username = name, displayName = "App User", ttl = "00:10:00" });
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var token = await minted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"{name}@{CallServerFixture.Domain}", token.Str("address"));
        var expiresAt = token.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10.1));

        // It never signs in with a password.
        using (var login = await server.Http.PostAsJsonAsync("/api/v1/auth/token", new { username = name, password = "correct-horse-battery" }))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        }

        var passwordUser = await server.CreateUserAsync("pw");
        await using var app = await server.ConnectWithTokenAsync(token.Str("accessToken"), name);
        await using var other = await server.ConnectAsync(passwordUser);
        var call = await app.CreateCallAsync(passwordUser.Address);
        await app.InvokeAsync("EstablishCall", call.CallId, Sdp.Audio());
        var (incoming, _) = await other.WaitForIncomingCallAsync(call.CallId);
        Assert.Equal("App User", incoming.RemoteDisplayName);

        // The same user again: the same account; a renewal keeps the user and the display name.
        using (var again = await MintAsync(new { username = name }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        using var renew = new HttpRequestMessage(HttpMethod.Post, "/api/v1/user-tokens/renew");
        renew.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Str("accessToken"));
        using var renewed = await server.Http.SendAsync(renew);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        var fresh = await renewed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(token.Str("address"), fresh.Str("address"));
        await using var again2 = await server.ConnectWithTokenAsync(fresh.Str("accessToken"), name + "#2");
        Assert.Equal(call.CallId, (await again2.GetCallAsync(call.CallId)).CallId);

        // A password user's token is not renewed this way.
        using var notMinted = new HttpRequestMessage(HttpMethod.Post, "/api/v1/user-tokens/renew");
        notMinted.Headers.Authorization = new AuthenticationHeaderValue("Bearer", passwordUser.Token);
        using var refused = await server.Http.SendAsync(notMinted);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task A_ttl_beyond_the_access_token_lifetime_is_capped()
    {
        using var minted = await MintAsync(new { username = "long-" + CallServerFixture.Suffix(), ttl = "30.00:00:00" });
        var token = await minted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.InRange(token.GetProperty("expiresAt").GetDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(60.1));
    }

    public static TheoryData<string, int, string> BadRequests => new()
    {
        { "no key", 401, "Unauthorized" },
        { "the anonymous-token key", 401, "Unauthorized" },
        { "a wrong key", 401, "Unauthorized" },
        { "no body", 400, "InvalidArgument" },
        { "no username", 400, "InvalidArgument" },
        { "a bad username", 400, "InvalidArgument" },
        { "an anonymous- name", 400, "InvalidArgument" },
        { "the PSTN gateway user", 400, "InvalidArgument" },
        { "a bad ttl", 400, "InvalidArgument" },
        { "a negative ttl", 400, "InvalidArgument" },
        { "a display name too long", 400, "InvalidArgument" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_or_no_backend_key_is_refused_with_a_clear_code_and_creates_no_user(string what, int status, string code)
    {
        var name = "refused-" + CallServerFixture.Suffix();
        using var response = what switch
        {
            "no key" => await MintAsync(new { username = name }, key: null),
            "the anonymous-token key" => await MintAsync(new { username = name }, CallServerFixture.AnonymousApiKey),
            "a wrong key" => await MintAsync(new { username = name }, "not-the-backend-key-at-all-0000"),
            "no body" => await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/user-tokens") { Headers = { { "X-Api-Key", ExternalIssuerFixture.BackendKey } }, Content = new StringContent("null", System.Text.Encoding.UTF8, "application/json") }),
            "no username" => await MintAsync(new { displayName = "x" }),
            "a bad username" => await MintAsync(new { username = "has spaces" }),
            "an anonymous- name" => await MintAsync(new { username = "anonymous-1234" }),
            "the PSTN gateway user" => await MintAsync(new { username = server.GatewayUsername }),
            "a bad ttl" => await MintAsync(new { username = name, ttl = "soon" }),
            "a negative ttl" => await MintAsync(new { username = name, ttl = "-00:10:00" }),
            _ => await MintAsync(new { username = name, displayName = new string('x', 500) }),
        };

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(code, await CodeOf(response));
        using var admin = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/users/{name}");
        admin.Headers.Add("X-Admin-Key", CallServerFixture.AdminKey);
        using var user = await server.Http.SendAsync(admin);
        Assert.Equal(HttpStatusCode.NotFound, user.StatusCode);
    }

    [Fact]
    public async Task Each_backend_key_has_its_own_rate_limit()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= ExternalIssuerFixture.UserTokensPerMinute; i++)
        {
            using var response = await MintAsync(new { username = "burst-" + i }, ExternalIssuerFixture.LimitedBackendKey);
            statuses.Add(response.StatusCode);
        }

        Assert.All(statuses[..^1], status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);

        // The other key is not limited by it.
        using var other = await MintAsync(new { username = "burst-other" });
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_minted_user_closes_its_connections_and_its_token_no_longer_counts()
    {
        var name = "gone-" + CallServerFixture.Suffix();
        using var minted = await MintAsync(new { username = name });
        var token = (await minted.Content.ReadFromJsonAsync<JsonElement>()).Str("accessToken");
        await using var phone = await server.ConnectWithTokenAsync(token, name);
        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/users/{name}");
        delete.Headers.Add("X-Admin-Key", CallServerFixture.AdminKey);
        using (var deleted = await server.Http.SendAsync(delete))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await phone.Closed.WaitAsync(HubTestClient.DefaultTimeout);
        using var history = new HttpRequestMessage(HttpMethod.Get, "/api/v1/call-history");
        history.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var refused = await server.Http.SendAsync(history);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }
}
