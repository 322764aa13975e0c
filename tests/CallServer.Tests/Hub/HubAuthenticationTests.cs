using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using CallServer.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CallServer.Tests.Hub;

/// <summary>Every hub connection carries a valid JWT: the WebSocket (and negotiate) is refused with 401 otherwise.</summary>
public sealed class HubAuthenticationTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    private const string WrongKey = "some-other-signing-key-that-is-long-enough-0123456789";

    /// <summary>A token like the server's own, with the parts a test wants wrong.</summary>
    private static string Token(
        string subject,
        string role = "user",
        string key = CallServerFixture.SigningKey,
        string issuer = "callserver",
        string audience = "callserver",
        DateTime? expires = null,
        DateTime? notBefore = null)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddMinutes(10);
        var start = notBefore ?? (expiry < now ? expiry.AddMinutes(-10) : now);
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("role", role)]),
            Issuer = issuer,
            Audience = audience,
            IssuedAt = start,
            NotBefore = start,
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }

    private async Task AssertRefusedAsync(string? token)
    {
        var refused = await Assert.ThrowsAsync<HubConnectException>(() => server.ConnectWithTokenAsync(token));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task A_token_crafted_like_the_servers_connects()
    {
        var user = await server.CreateUserAsync("crafted");
        await using var client = await server.ConnectWithTokenAsync(Token(user.Address));
        Assert.Empty(await client.InvokeAsync<CallView[]>("GetActiveCalls"));
    }

    [Fact]
    public async Task The_token_may_travel_in_the_authorization_header()
    {
        var user = await server.CreateUserAsync("header");
        await using var client = await HubTestClient.ConnectAsync(server.ServerAddress, user.Token, "header", tokenInHeader: true);
        Assert.Empty(await client.InvokeAsync<CallView[]>("GetActiveCalls"));

        var refused = await Assert.ThrowsAsync<HubConnectException>(
            () => HubTestClient.ConnectAsync(server.ServerAddress, Token(user.Address, key: WrongKey), "forged-header", tokenInHeader: true));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task No_token_is_refused_with_401()
    {
        await AssertRefusedAsync(null);
        await AssertRefusedAsync(string.Empty);
    }

    [Fact]
    public async Task Expired_token_is_refused_with_401()
    {
        var user = await server.CreateUserAsync("expired");
        await AssertRefusedAsync(Token(user.Address, expires: DateTime.UtcNow.AddMinutes(-2)));
    }

    [Fact]
    public async Task Token_signed_with_another_key_is_refused_with_401()
    {
        var user = await server.CreateUserAsync("forged");
        await AssertRefusedAsync(Token(user.Address, key: WrongKey));

        // A valid token with its signature swapped for another token's.
        var good = user.Token.Split('.');
        var other = Token(user.Address, key: WrongKey).Split('.');
        await AssertRefusedAsync($"{good[0]}.{good[1]}.{other[2]}");
    }

    [Fact]
    public async Task Token_of_another_issuer_or_audience_is_refused_with_401()
    {
        var user = await server.CreateUserAsync("issuer");
        await AssertRefusedAsync(Token(user.Address, issuer: "someone-else"));
        await AssertRefusedAsync(Token(user.Address, audience: "someone-else"));
    }

    [Fact]
    public async Task Garbage_and_unsigned_tokens_are_refused_with_401()
    {
        var user = await server.CreateUserAsync("garbage");
        await AssertRefusedAsync("not-a-jwt");
        var unsigned = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", user.Address), new Claim("role", "user")]),
            Issuer = "callserver",
            Audience = "callserver",
            Expires = DateTime.UtcNow.AddMinutes(10),
        });
        await AssertRefusedAsync(unsigned);
    }

    [Fact]
    public async Task Token_without_a_caller_role_is_refused_with_403()
    {
        var user = await server.CreateUserAsync("norole");
        var refused = await Assert.ThrowsAsync<HubConnectException>(() => server.ConnectWithTokenAsync(Token(user.Address, role: "admin")));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Token_whose_subject_and_role_disagree_is_closed_right_after_the_handshake()
    {
        // A "user" token for an anonymous address names no valid caller.
        var token = Token("anonymous-0011223344@" + CallServerFixture.Domain);
        await using var client = await server.ConnectWithTokenAsync(token);
        var closed = await client.Closed.WaitAsync(HubTestClient.DefaultTimeout);
        Assert.Equal("Connection closed with an error.", closed);
    }

    [Fact]
    public async Task Negotiate_without_a_token_is_401_with_a_problem_code()
    {
        using var response = await server.Http.PostAsync("/hubs/calls/negotiate?negotiateVersion=1", null);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unauthorized", problem.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Negotiate_with_a_valid_token_offers_websockets()
    {
        var user = await server.CreateUserAsync("negotiate");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/calls/negotiate?negotiateVersion=1");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", user.Token);
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(
            body.RootElement.GetProperty("availableTransports").EnumerateArray(),
            t => t.GetProperty("transport").GetString() == "WebSockets");
    }

    [Fact]
    public async Task Expired_token_on_the_rest_api_is_401_saying_it_expired()
    {
        var user = await server.CreateUserAsync("expiredrest");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/calls/0123456789abcdef");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", Token(user.Address, expires: DateTime.UtcNow.AddMinutes(-2)));
        using var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unauthorized", problem.RootElement.GetProperty("code").GetString());
        Assert.Contains("expired", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
