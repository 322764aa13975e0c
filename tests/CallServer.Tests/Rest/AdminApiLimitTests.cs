using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Rest;

/// <summary>A server that lets one address send 3 wrong admin keys a minute.</summary>
public sealed class FewAdminGuessesFixture : CallServerFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Admin:FailedKeysPerMinute"] = "3";
}

/// <summary>The users API checks its key before it reads a body, and caps bodies.</summary>
public sealed class AdminApiLimitTests(CallServerFixture server) : IClassFixture<CallServerFixture>
{
    [Fact]
    public async Task A_large_body_with_a_wrong_key_is_401_unread_and_with_the_right_key_413()
    {
        var big = new string('x', 2 * 1024 * 1024);
        using (var wrong = await PostUserAsync("not-the-key", "{\"username\":\"" + big + "\"}"))
        {
            await ProblemAsync(wrong, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using (var tooLarge = await PostUserAsync(CallServerFixture.AdminKey, "{\"username\":\"big-" + CallServerFixture.Suffix() + "\",\"password\":\"" + new string('p', 64 * 1024) + "\"}"))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        }

        // A body of the ordinary size still works.
        using var created = await PostUserAsync(CallServerFixture.AdminKey, JsonSerializer.Serialize(new { username = "fine-" + CallServerFixture.Suffix(), password = "long-enough-password" }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private async Task<HttpResponseMessage> PostUserAsync(string adminKey, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Admin-Key", adminKey);

        // As a careful client sends a large body: only once the server asks for it. A server that answers
        // first (a refused key, a body over the limit) never gets it, and the connection is not cut mid-send.
        request.Headers.ExpectContinue = true;
        return await server.Http.SendAsync(request);
    }

    internal static async Task ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, document.RootElement.GetProperty("code").GetString());
    }
}

/// <summary>Guessing the admin key: past the failures allowed per minute, the address is locked out of the users API.</summary>
public sealed class AdminKeyGuessingTests(FewAdminGuessesFixture server) : IClassFixture<FewAdminGuessesFixture>
{
    [Fact]
    public async Task Past_three_wrong_keys_a_minute_the_address_gets_429_even_with_the_right_key()
    {
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await ListAsync("guess-" + i);
            await AdminApiLimitTests.ProblemAsync(wrong, HttpStatusCode.Unauthorized, "Unauthorized");
        }

        using (var fourth = await ListAsync("guess-3"))
        {
            await AdminApiLimitTests.ProblemAsync(fourth, HttpStatusCode.TooManyRequests, "RateLimited");
        }

        using var right = await ListAsync(CallServerFixture.AdminKey);
        await AdminApiLimitTests.ProblemAsync(right, HttpStatusCode.TooManyRequests, "RateLimited");

        // Only the users API is locked for that address: logins still work.
        using var login = await server.Http.PostAsJsonAsync("/api/v1/auth/token", new { username = server.Gateway.Username, password = CallServerFixture.Password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
    }

    private async Task<HttpResponseMessage> ListAsync(string adminKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/users");
        request.Headers.Add("X-Admin-Key", adminKey);
        return await server.Http.SendAsync(request);
    }
}
