using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Rest;

/// <summary>The REST API: tokens, users, call snapshots, health, Swagger.</summary>
public sealed class RestApiTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problem = document.RootElement.Clone();
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }

    private Task<HttpResponseMessage> UsersAsync(HttpMethod method, string path, string? adminKey = CallServerFixture.AdminKey, object? body = null)
    {
        var request = new HttpRequestMessage(method, "/api/v1/users" + path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (adminKey is not null)
        {
            request.Headers.Add("X-Admin-Key", adminKey);
        }

        return server.Http.SendAsync(request);
    }

    [Fact]
    public async Task Token_for_valid_credentials_and_401_problem_for_wrong_ones()
    {
        var user = await server.CreateUserAsync("login");

        using (var ok = await server.Http.PostAsJsonAsync("/api/v1/auth/token", new { username = user.Username.ToUpperInvariant(), password = user.Password }))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            var token = await ok.Content.ReadFromJsonAsync<CallServerFixture.TokenResponse>(Json.Options);
            Assert.Equal(user.Address, token!.Address);
            Assert.Equal($"{user.Username}@{CallServerFixture.Domain}", token.Address);
            Assert.Equal(3, token.AccessToken.Split('.').Length);
            Assert.InRange(token.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(55), DateTimeOffset.UtcNow.AddMinutes(65));
        }

        using (var wrong = await server.Http.PostAsJsonAsync("/api/v1/auth/token", new { username = user.Username, password = "not-the-password" }))
        {
            await ProblemAsync(wrong, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using var unknown = await server.Http.PostAsJsonAsync("/api/v1/auth/token", new { username = "nobody-" + CallServerFixture.Suffix(), password = "whatever-password" });
        await ProblemAsync(unknown, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Users_api_needs_the_admin_key()
    {
        using (var none = await UsersAsync(HttpMethod.Get, string.Empty, adminKey: null))
        {
            await ProblemAsync(none, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using (var wrong = await UsersAsync(HttpMethod.Get, string.Empty, adminKey: "wrong-key"))
        {
            await ProblemAsync(wrong, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using var create = await UsersAsync(HttpMethod.Post, string.Empty, adminKey: "wrong-key", body: new { username = "sneaky-" + CallServerFixture.Suffix(), password = "long-enough-password" });
        await ProblemAsync(create, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Users_are_created_listed_read_and_deleted()
    {
        var username = "provisioned-" + CallServerFixture.Suffix();
        using (var created = await UsersAsync(HttpMethod.Post, string.Empty, body: new { username, password = "long-enough-password", phoneNumbers = new[] { "+15550101234" } }))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal($"/api/v1/users/{username}", created.Headers.Location?.OriginalString);
            using var body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
            Assert.Equal($"{username}@{CallServerFixture.Domain}", body.RootElement.GetProperty("address").GetString());
        }

        using (var duplicate = await UsersAsync(HttpMethod.Post, string.Empty, body: new { username = username.ToUpperInvariant(), password = "another-password" }))
        {
            Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
            Assert.Equal("application/problem+json", duplicate.Content.Headers.ContentType?.MediaType);
        }

        using (var list = await UsersAsync(HttpMethod.Get, string.Empty))
        {
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            using var users = JsonDocument.Parse(await list.Content.ReadAsStringAsync());
            Assert.Contains(users.RootElement.EnumerateArray(), u => u.GetProperty("username").GetString() == username);
            Assert.DoesNotContain(users.RootElement.EnumerateArray(), u => u.TryGetProperty("passwordHash", out _) || u.TryGetProperty("password", out _));
        }

        using (var read = await UsersAsync(HttpMethod.Get, "/" + username))
        {
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            using var user = JsonDocument.Parse(await read.Content.ReadAsStringAsync());
            Assert.Equal($"{username}@{CallServerFixture.Domain}", user.RootElement.GetProperty("address").GetString());
            Assert.Equal(["+15550101234"], user.RootElement.GetProperty("phoneNumbers").EnumerateArray().Select(n => n.GetString()));
        }

        Assert.False(string.IsNullOrEmpty(await server.TokenAsync(username, "long-enough-password")));

        using (var deleted = await UsersAsync(HttpMethod.Delete, "/" + username))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using (var again = await UsersAsync(HttpMethod.Delete, "/" + username))
        {
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }

        using (var gone = await UsersAsync(HttpMethod.Get, "/" + username))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var login = await server.Http.PostAsJsonAsync("/api/v1/auth/token", new { username, password = "long-enough-password" });
        await ProblemAsync(login, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Theory]
    [InlineData("bad name", "long-enough-password", null)]
    [InlineData("anonymous-abc", "long-enough-password", null)]
    [InlineData("", "long-enough-password", null)]
    [InlineData("shortpass", "short", null)]
    [InlineData("badphone", "long-enough-password", "5550101234")]
    [InlineData("evil\n", "long-enough-password", null)]
    [InlineData("badphone", "long-enough-password", "+15550109999\n")]
    public async Task Invalid_users_are_400_InvalidArgument(string username, string password, string? phone)
    {
        var name = username.Length > 0 && !username.Contains(' ', StringComparison.Ordinal) && !username.Contains('\n', StringComparison.Ordinal) && !username.StartsWith("anonymous-", StringComparison.Ordinal)
            ? username + "-" + CallServerFixture.Suffix()
            : username;
        using var response = await UsersAsync(HttpMethod.Post, string.Empty, body: new { username = name, password, phoneNumbers = phone is null ? null : new[] { phone } });
        await ProblemAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
    }

    [Fact]
    public async Task Deleting_a_user_closes_its_connections_and_refuses_its_tokens_even_after_the_name_is_taken_again()
    {
        var user = await server.CreateUserAsync("leaving");
        await using var device = await server.ConnectAsync(user);
        await device.InvokeAsync("GetActiveCalls");

        using (var deleted = await UsersAsync(HttpMethod.Delete, "/" + user.Username))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // The open connection is closed by the server, at once.
        await device.Closed.WaitAsync(HubTestClient.DefaultTimeout);

        // A new user of the same name, made at once (within the same second as the old token): the old token
        // is still refused, everywhere; the new user's works.
        using (var again = await UsersAsync(HttpMethod.Post, string.Empty, body: new { username = user.Username, password = CallServerFixture.Password }))
        {
            Assert.Equal(HttpStatusCode.Created, again.StatusCode);
        }

        var newToken = await server.TokenAsync(user.Username, CallServerFixture.Password);
        foreach (var route in new[] { "/api/v1/ice-servers", "/api/v1/calls/ffffffffffffffffffffffffffffffff" })
        {
            using var old = new HttpRequestMessage(HttpMethod.Get, route);
            old.Headers.Authorization = new AuthenticationHeaderValue("Bearer", user.Token);
            using var refused = await server.Http.SendAsync(old);
            await ProblemAsync(refused, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        var refusedConnection = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var stale = await server.ConnectWithTokenAsync(user.Token);
            await stale.InvokeAsync("GetActiveCalls");
        });
        Assert.NotNull(refusedConnection);

        using var current = new HttpRequestMessage(HttpMethod.Get, "/api/v1/ice-servers");
        current.Headers.Authorization = new AuthenticationHeaderValue("Bearer", newToken);
        using var served = await server.Http.SendAsync(current);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task A_call_snapshot_is_served_to_its_parties_only()
    {
        await using var p = await Scenario.InCallAsync(server);
        var stranger = await server.CreateUserAsync("stranger");

        async Task<HttpResponseMessage> GetAsync(string? token, string callId)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/calls/{callId}");
            if (token is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            return await server.Http.SendAsync(request);
        }

        using (var asCaller = await GetAsync(p.CallerUser.Token, p.CallId))
        {
            Assert.Equal(HttpStatusCode.OK, asCaller.StatusCode);
            var text = await asCaller.Content.ReadAsStringAsync();
            using var raw = JsonDocument.Parse(text);
            Assert.Equal(JsonValueKind.String, raw.RootElement.GetProperty("state").ValueKind);
            var snapshot = JsonSerializer.Deserialize<CallView>(text, Json.Options)!;
            Assert.Equal(p.CallId, snapshot.CallId);
            Assert.Equal("outgoing", snapshot.Direction);
            Assert.Equal("InCall", snapshot.State);
            Assert.Equal(p.CalleeUser.Address, snapshot.RemoteAddress);
            Assert.Equal((await p.Caller.GetCallAsync(p.CallId)).Sequence, snapshot.Sequence);
        }

        using (var asCallee = await GetAsync(p.CalleeUser.Token, p.CallId))
        {
            Assert.Equal(HttpStatusCode.OK, asCallee.StatusCode);
            var snapshot = (await asCallee.Content.ReadFromJsonAsync<CallView>(Json.Options))!;
            Assert.Equal("incoming", snapshot.Direction);
            Assert.Equal("InCall", snapshot.State);
            Assert.Equal(p.CallerUser.Address, snapshot.RemoteAddress);
        }

        using (var asStranger = await GetAsync(stranger.Token, p.CallId))
        {
            var problem = await ProblemAsync(asStranger, HttpStatusCode.NotFound, "CallNotFound");
            using var unknown = await GetAsync(stranger.Token, "ffffffffffffffffffffffffffffffff");
            var unknownProblem = await ProblemAsync(unknown, HttpStatusCode.NotFound, "CallNotFound");
            Assert.Equal(unknownProblem.GetProperty("detail").GetString(), problem.GetProperty("detail").GetString());
        }

        using (var anonymous = await GetAsync(null, p.CallId))
        {
            await ProblemAsync(anonymous, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using var garbage = await GetAsync("not-a-token", p.CallId);
        await ProblemAsync(garbage, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Health_and_readiness_answer()
    {
        using (var health = await server.Http.GetAsync("/healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var body = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            Assert.Equal("ok", body.RootElement.GetProperty("status").GetString());
        }

        using var ready = await server.Http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var readyBody = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("ready", readyBody.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Swagger_document_lists_the_api_and_the_bearer_scheme()
    {
        using var response = await server.Http.GetAsync("/swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        var paths = root.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/api/v1/auth/token", paths);
        Assert.Contains("/api/v1/anonymous-tokens", paths);
        Assert.Contains("/api/v1/users", paths);
        Assert.Contains("/api/v1/users/{username}", paths);
        Assert.Contains("/api/v1/calls/{callId}", paths);
        Assert.Contains("/healthz", paths);
        Assert.Contains("/readyz", paths);
        var bearer = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
    }
}
