using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Push;

/// <summary>PUT / GET / DELETE /api/v1/push-registrations and GET /api/v1/push/webpush-key.</summary>
public sealed class PushRegistrationApiTests(PushWakeFixture server) : IClassFixture<PushWakeFixture>
{
    private const string P256dh = "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM";
    private const string AuthSecret = "tBHItJI5svbpez7KI4CCXg";

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null) =>
        server.SendAsync(method, path, token, body);

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
    }

    private async Task<JsonElement> ListAsync(TestUser user)
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/v1/push-registrations", user.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_user_registers_lists_replaces_and_deletes_its_own_registrations_only()
    {
        var bob = await server.CreateUserAsync("bob");
        var carol = await server.CreateUserAsync("carol");

        using (var put = await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/iphone-1", bob.Token, new { platform = "apns", token = "aa11", appId = "com.example.other" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            var stored = await put.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("iphone-1", stored.Str("registrationId"));
            Assert.Equal("apns", stored.Str("platform"));
            Assert.Equal("aa11", stored.Str("token"));
            Assert.Equal("com.example.other", stored.Str("appId"));
        }

        using (var web = await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/chrome", bob.Token, new
        {
            platform = "webpush",
            subscription = new { endpoint = "https://fcm.googleapis.com/fcm/send/abc", keys = new { p256dh = P256dh, auth = AuthSecret } },
        }))
        {
            Assert.Equal(HttpStatusCode.OK, web.StatusCode);
        }

        // The same id again replaces it (a refreshed token).
        using (var again = await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/iphone-1", bob.Token, new { platform = "apns", token = "bb22" }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        var list = await ListAsync(bob);
        Assert.Equal(["chrome", "iphone-1"], list.EnumerateArray().Select(r => r.Str("registrationId")).Order());
        Assert.Equal("bb22", list.EnumerateArray().Single(r => r.Str("registrationId") == "iphone-1").Str("token"));
        Assert.Equal(P256dh, list.EnumerateArray().Single(r => r.Str("registrationId") == "chrome").GetProperty("subscription").GetProperty("keys").Str("p256dh"));
        Assert.Equal(0, (await ListAsync(carol)).GetArrayLength());

        // Carol cannot delete bob's; bob can, once.
        await AssertProblemAsync(await SendAsync(HttpMethod.Delete, "/api/v1/push-registrations/iphone-1", carol.Token), HttpStatusCode.NotFound, "RegistrationNotFound");
        using (var deleted = await SendAsync(HttpMethod.Delete, "/api/v1/push-registrations/iphone-1", bob.Token))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        await AssertProblemAsync(await SendAsync(HttpMethod.Delete, "/api/v1/push-registrations/iphone-1", bob.Token), HttpStatusCode.NotFound, "RegistrationNotFound");
        Assert.Equal(["chrome"], (await ListAsync(bob)).EnumerateArray().Select(r => r.Str("registrationId")));
    }

    [Fact]
    public async Task An_apns_registration_keeps_its_alert_token_and_no_other_platform_takes_one()
    {
        var bob = await server.CreateUserAsync("bob");
        using (var put = await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/iphone", bob.Token, new { platform = "apns", token = "aa11", alertToken = "cc33" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
            Assert.Equal("cc33", (await put.Content.ReadFromJsonAsync<JsonElement>()).Str("alertToken"));
        }

        Assert.Equal("cc33", (await ListAsync(bob)).EnumerateArray().Single().Str("alertToken"));

        await AssertProblemAsync(await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/iphone", bob.Token, new { platform = "apns", token = "aa11", alertToken = "has space" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/iphone", bob.Token, new { platform = "apns", token = "aa11", alertToken = "" }), HttpStatusCode.BadRequest, "InvalidArgument");
        await AssertProblemAsync(await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/chrome", bob.Token, new
        {
            platform = "webpush",
            subscription = new { endpoint = "https://fcm.googleapis.com/fcm/send/abc", keys = new { p256dh = P256dh, auth = AuthSecret } },
            alertToken = "cc33",
        }), HttpStatusCode.BadRequest, "InvalidArgument");

        // Refused changes changed nothing; a PUT without it drops it (a PUT replaces).
        Assert.Equal("cc33", (await ListAsync(bob)).EnumerateArray().Single().Str("alertToken"));
        using (var again = await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/iphone", bob.Token, new { platform = "apns", token = "aa11" }))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        Assert.Equal(JsonValueKind.Null, (await ListAsync(bob)).EnumerateArray().Single().GetProperty("alertToken").ValueKind);
    }

    [Fact]
    public async Task Anonymous_callers_and_requests_without_a_token_are_refused()
    {
        var anonymous = await server.AnonymousTokenAsync();
        await AssertProblemAsync(await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/x", anonymous.AccessToken, new { platform = "apns", token = "aa" }), HttpStatusCode.Forbidden, "Forbidden");
        await AssertProblemAsync(await SendAsync(HttpMethod.Get, "/api/v1/push-registrations", anonymous.AccessToken), HttpStatusCode.Forbidden, "Forbidden");
        using var none = await SendAsync(HttpMethod.Get, "/api/v1/push-registrations", null);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    [Theory]
    [InlineData("id with spaces", "apns", "aa11", null)]
    [InlineData("iphone", "sms", "aa11", null)]
    [InlineData("iphone", "apns", null, null)]
    [InlineData("iphone", "apns", "has space", null)]
    [InlineData("iphone", "fcm", "aa11", null)] // no FCM credentials on this server
    [InlineData("chrome", "webpush", null, "http://push.example.net/x")] // not https, not loopback
    [InlineData("chrome", "webpush", null, "https://fcm.googleapis.com/fcm/send/x|badkeys")]
    [InlineData("chrome", "webpush", null, "https://push.example.net/x")] // not a push service this server allows
    [InlineData("chrome", "webpush", null, "https://10.0.0.7/x")] // an address, not a push service
    [InlineData("chrome", "webpush", null, "https://fcm.googleapis.com:8443/x")]
    [InlineData("chrome", "webpush", null, "https://fcm.googleapis.com.evil.example/x")]
    public async Task Bad_registrations_are_400_InvalidArgument_and_store_nothing(string id, string platform, string? token, string? endpoint)
    {
        var bob = await server.CreateUserAsync("bob");
        var badKeys = endpoint?.EndsWith("|badkeys", StringComparison.Ordinal) == true;
        object? subscription = endpoint is null ? null : new
        {
            endpoint = endpoint.Replace("|badkeys", string.Empty, StringComparison.Ordinal),
            keys = new { p256dh = badKeys ? "AAAA" : P256dh, auth = AuthSecret },
        };
        await AssertProblemAsync(
            await SendAsync(HttpMethod.Put, $"/api/v1/push-registrations/{Uri.EscapeDataString(id)}", bob.Token, new { platform, token, subscription }),
            HttpStatusCode.BadRequest,
            "InvalidArgument");
        Assert.Equal(0, (await ListAsync(bob)).GetArrayLength());
    }

    [Fact]
    public async Task An_id_longer_than_64_characters_is_refused()
    {
        var bob = await server.CreateUserAsync("bob");
        await AssertProblemAsync(await SendAsync(HttpMethod.Put, $"/api/v1/push-registrations/{new string('a', 65)}", bob.Token, new { platform = "apns", token = "aa" }), HttpStatusCode.BadRequest, "InvalidArgument");
        using var ok = await SendAsync(HttpMethod.Put, $"/api/v1/push-registrations/{new string('a', 64)}", bob.Token, new { platform = "apns", token = "aa" });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task A_user_has_at_most_the_configured_number_of_registrations_and_replacing_one_still_works()
    {
        var bob = await server.CreateUserAsync("bob");
        for (var i = 0; i < 3; i++)
        {
            using var put = await SendAsync(HttpMethod.Put, $"/api/v1/push-registrations/phone-{i}", bob.Token, new { platform = "apns", token = $"aa{i}" });
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await AssertProblemAsync(await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/phone-3", bob.Token, new { platform = "apns", token = "aa3" }), HttpStatusCode.TooManyRequests, "RateLimited");
        using var replaced = await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/phone-0", bob.Token, new { platform = "apns", token = "new" });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        Assert.Equal(3, (await ListAsync(bob)).GetArrayLength());
    }

    [Fact]
    public async Task Deleting_a_user_deletes_its_registrations_so_a_new_user_of_that_name_starts_without_them()
    {
        var bob = await server.CreateUserAsync("bob");
        using (var put = await SendAsync(HttpMethod.Put, "/api/v1/push-registrations/iphone", bob.Token, new { platform = "apns", token = "aa" }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        using var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/users/{bob.Username}");
        delete.Headers.Add("X-Admin-Key", CallServerFixture.AdminKey);
        Assert.Equal(HttpStatusCode.NoContent, (await server.Http.SendAsync(delete)).StatusCode);

        using var create = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users") { Content = JsonContent.Create(new { username = bob.Username, password = CallServerFixture.Password }) };
        create.Headers.Add("X-Admin-Key", CallServerFixture.AdminKey);
        Assert.Equal(HttpStatusCode.Created, (await server.Http.SendAsync(create)).StatusCode);
        var reborn = bob with { Token = await server.TokenAsync(bob.Username, CallServerFixture.Password) };
        Assert.Equal(0, (await ListAsync(reborn)).GetArrayLength());
    }

    [Fact]
    public async Task The_web_push_key_is_a_P256_public_key_anyone_may_read()
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/v1/push/webpush-key", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var key = System.Buffers.Text.Base64Url.DecodeFromChars((await response.Content.ReadFromJsonAsync<JsonElement>()).Str("publicKey"));
        Assert.Equal(65, key.Length);
        Assert.Equal(0x04, key[0]);
    }
}
