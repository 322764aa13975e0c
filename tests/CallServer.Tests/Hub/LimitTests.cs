using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Hub;

/// <summary>A server whose hub allows a burst of 3 invocations per connection, then 1 a second.</summary>
public sealed class LowHubLimitFixture : CallServerFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:HubInvocationBurst"] = "3";
        settings["Limits:HubInvocationsPerSecond"] = "1";
    }
}

/// <summary>A server where anyone may mint anonymous tokens (3 a minute per address) and log in 3 times a minute.</summary>
public sealed class PublicTokensFixture : CallServerFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["AnonymousCalls:AllowPublicTokens"] = "true";
        settings["AnonymousCalls:PublicTokensPerMinute"] = "3";
        settings["Limits:LoginAttemptsPerMinute"] = "3";
    }
}

/// <summary>A server that lets one user have 3 devices at once.</summary>
public sealed class FewDevicesFixture : CallServerFixture
{
    protected override void Configure(IDictionary<string, string?> settings) => settings["Limits:MaxDevicesPerUser"] = "3";
}

/// <summary>A server that lets one user make a burst of 4 invocations over all its connections, then 1 a second.</summary>
public sealed class LowUserLimitFixture : CallServerFixture
{
    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Limits:UserInvocationBurst"] = "4";
        settings["Limits:UserInvocationsPerSecond"] = "1";
    }
}

public sealed class UserRateLimitTests(LowUserLimitFixture server) : IClassFixture<LowUserLimitFixture>
{
    [Fact]
    public async Task A_users_connections_share_one_budget_and_past_it_every_one_is_RateLimited()
    {
        // Connected without the fixture's presence round trip: the budget counts from the test's first invocation.
        var user = await server.CreateUserAsync("chatty");
        await using var first = await server.ConnectWithTokenAsync(user.Token, "first");
        await using var second = await server.ConnectWithTokenAsync(user.Token, "second");
        var other = await server.CreateUserAsync("quiet");
        await using var othersDevice = await server.ConnectAsync(other);

        var results = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            try
            {
                await (i % 2 == 0 ? first : second).InvokeAsync("GetActiveCalls");
                results.Add("ok");
            }
            catch (HubErrorException refused)
            {
                results.Add(refused.Code);
            }
        }

        // The burst of 4 goes to both connections together, each well under its own per-connection limit.
        Assert.Equal(4, results.Take(5).Count(r => r == "ok"));
        Assert.Contains("RateLimited", results);
        Assert.Equal("RateLimited", results[^1]);
        await othersDevice.InvokeAsync("GetActiveCalls"); // another user has its own budget
    }
}

public sealed class DeviceLimitTests(FewDevicesFixture server) : IClassFixture<FewDevicesFixture>
{
    [Fact]
    public async Task A_user_past_its_device_limit_is_refused_a_connection_until_one_device_leaves()
    {
        var user = await server.CreateUserAsync("many");
        var devices = new List<HubTestClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var device = await server.ConnectAsync(user, $"device-{i}");
                await device.InvokeAsync("GetActiveCalls");
                devices.Add(device);
            }

            await using (var fourth = await server.ConnectAsync(user, "device-3"))
            {
                Assert.Equal("Connection closed with an error.", await fourth.Closed.WaitAsync(HubTestClient.DefaultTimeout));
            }

            // Another user is not limited by this one's devices; once a device leaves there is room again.
            var other = await server.CreateUserAsync("other");
            await using var othersDevice = await server.ConnectAsync(other);
            await othersDevice.InvokeAsync("GetActiveCalls");
            await devices[0].DisposeAsync();
            devices.RemoveAt(0);
            await Poll.UntilAsync(async () =>
            {
                await using var again = await server.ConnectAsync(user, "device-again");
                try
                {
                    await again.InvokeAsync("GetActiveCalls");
                    return true;
                }
                catch (Exception exception) when (exception is InvalidOperationException or HubErrorException)
                {
                    return false; // the server has not seen the leaving device's close yet
                }
            }, "a device may connect once another one left");
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }
}

public sealed class HubRateLimitTests(LowHubLimitFixture server) : IClassFixture<LowHubLimitFixture>
{
    [Fact]
    public async Task Invocations_past_the_burst_are_RateLimited_and_do_nothing()
    {
        var callerUser = await server.CreateUserAsync("hasty");
        var calleeUser = await server.CreateUserAsync("target");
        await using var client = await server.ConnectWithTokenAsync(callerUser.Token, "phone");

        var attempts = Enumerable.Range(0, 8).Select(_ => client.CreateCallAsync(calleeUser.Address)).ToList();
        var outcomes = await Task.WhenAll(attempts.Select(async attempt =>
        {
            try
            {
                return (Call: await attempt, Error: (HubErrorException?)null);
            }
            catch (HubErrorException error)
            {
                return (Call: (CallView?)null, Error: error);
            }
        }));

        var created = outcomes.Where(o => o.Call is not null).Select(o => o.Call!.CallId).ToList();
        var refused = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();
        Assert.InRange(created.Count, 3, 4);
        Assert.NotEmpty(refused);
        Assert.All(refused, e => Assert.Equal("RateLimited", e.Code));

        // Only the calls that were allowed exist (a new connection has a full bucket).
        await using var other = await server.ConnectAsync(callerUser, "other");
        var active = await other.InvokeAsync<CallView[]>("GetActiveCalls");
        Assert.Equal(created.Order(), active.Select(c => c.CallId).Order());
    }
}

public sealed class PublicTokenTests(PublicTokensFixture server) : IClassFixture<PublicTokensFixture>
{
    [Fact]
    public async Task Anyone_may_mint_a_token_until_the_per_address_limit_then_429_RateLimited()
    {
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 6 && limited is null; i++)
        {
            var response = await server.Http.PostAsJsonAsync("/api/v1/anonymous-tokens", new { displayName = "visitor" });
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                limited = response;
            }
            else
            {
                if (i == 0)
                {
                    var token = await response.Content.ReadFromJsonAsync<CallServerFixture.TokenResponse>(Json.Options);
                    await using var client = await server.ConnectWithTokenAsync(token!.AccessToken, "public");
                    Assert.Empty(await client.InvokeAsync<CallView[]>("GetActiveCalls"));
                }

                response.Dispose();
            }
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        using (limited)
        {
            Assert.Equal("application/problem+json", limited!.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
            Assert.Equal("RateLimited", problem.RootElement.GetProperty("code").GetString());
        }

        // A server-side component with the API key is not limited.
        var minted = await server.AnonymousTokenAsync();
        Assert.StartsWith("anonymous-", minted.Address, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_login_attempts_from_one_address_are_429_RateLimited()
    {
        HttpStatusCode last = default;
        string? code = null;
        for (var i = 0; i < 6 && last != HttpStatusCode.TooManyRequests; i++)
        {
            using var response = await server.Http.PostAsJsonAsync("/api/v1/auth/token", new { username = "nobody", password = "wrong-password" });
            last = response.StatusCode;
            Assert.True(last is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"got {last}");
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            code = problem.RootElement.GetProperty("code").GetString();
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, last);
        Assert.Equal("RateLimited", code);
    }
}
