using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CallServer.Tests.Infrastructure;

/// <summary>The server under test, hosted in-process with the given environment and settings.</summary>
public sealed class CallServerFactory(string environment, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}

/// <summary>The timers of the contract set short, for the tests that wait for them to fire.</summary>
public sealed class ShortTimersFixture : CallServerFixture
{
    public override TimeSpan RingTimeout => TimeSpan.FromSeconds(2);

    public override TimeSpan OperationTimeout => TimeSpan.FromSeconds(1);

    public override TimeSpan ReconnectGrace => TimeSpan.FromSeconds(2);
}

/// <summary>Only the reconnect grace short (the ring timeout stays long, so that it never fires first).</summary>
public sealed class ShortGraceFixture : CallServerFixture
{
    public override TimeSpan ReconnectGrace => TimeSpan.FromSeconds(1);
}

/// <summary>A registered user created for one test, with a token.</summary>
public sealed record TestUser(string Username, string Password, string Address, string Token);

/// <summary>
/// A real CallServer on Kestrel, bound to 127.0.0.1 on a free port, environment "Testing", short timers.
/// One per test class; every test makes its own users.
/// </summary>
public class CallServerFixture : IAsyncLifetime
{
    public const string SigningKey = "callserver-host-tests-signing-key-0123456789abcdef";
    public const string AdminKey = "host-tests-admin-key";
    public const string AnonymousApiKey = "host-tests-anonymous-api-key";
    public const string Password = "correct-horse-battery";
    public const string Domain = "callserver.local";

    private CallServerFactory? factory;

    /// <summary>The user whose devices take calls to <c>tel:</c> addresses.</summary>
    public string GatewayUsername { get; } = "pstn-gw-" + Suffix();

    /// <summary>
    /// Generous here, so that no ordinary flow races a timer on a loaded machine; the tests of the
    /// timers themselves use <see cref="ShortTimersFixture"/>.
    /// </summary>
    public virtual TimeSpan RingTimeout => TimeSpan.FromSeconds(30);

    public virtual TimeSpan OperationTimeout => TimeSpan.FromSeconds(15);

    public virtual TimeSpan ReconnectGrace => TimeSpan.FromSeconds(15);

    /// <summary>The gateway user (created at start).</summary>
    public TestUser Gateway { get; private set; } = null!;

    /// <summary>http://127.0.0.1:PORT</summary>
    public Uri ServerAddress { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public IServiceProvider Services => factory!.Services;

    /// <summary>A short random suffix that keeps one test's names apart from another's.</summary>
    public static string Suffix() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(5));

    public virtual async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Jwt:SigningKey"] = SigningKey,
            ["Admin:ApiKey"] = AdminKey,
            ["AnonymousCalls:ApiKeys:0"] = AnonymousApiKey,
            ["Pstn:GatewayUser"] = GatewayUsername,
            ["Calls:RingTimeout"] = RingTimeout.ToString("c"),
            ["Calls:OperationTimeout"] = OperationTimeout.ToString("c"),
            ["Calls:ReconnectGrace"] = ReconnectGrace.ToString("c"),
            ["Calls:TimerPollInterval"] = "00:00:00.050",
            ["Limits:LoginAttemptsPerMinute"] = "100000",
        };
        Configure(settings);
        QuietLogs();
        factory = new CallServerFactory("Testing", settings);
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        ServerAddress = new Uri(address);
        Http = new HttpClient { BaseAddress = ServerAddress, Timeout = TimeSpan.FromSeconds(30) };
        Gateway = await RegisterAsync(GatewayUsername, []);
    }

    public virtual async Task DisposeAsync()
    {
        Http?.Dispose();
        if (factory is not null)
        {
            await factory.DisposeAsync();
        }
    }

    /// <summary>
    /// Serilog:MinimumLevel:Default = Warning. Not through UseSetting: WebApplicationFactory hands its
    /// settings to Program as command-line arguments, parent sections included with empty values, and
    /// Serilog then reads the empty "Serilog:MinimumLevel" as a level. The environment is read the same
    /// way by every server of this process, so setting it here is harmless.
    /// </summary>
    public static void QuietLogs()
    {
        Environment.SetEnvironmentVariable("Serilog__MinimumLevel__Default", "Warning");
        Environment.SetEnvironmentVariable("Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime", "Warning");

        // SignalR logs every HubException (each refusal the tests provoke) as an error with a stack trace.
        Environment.SetEnvironmentVariable("Serilog__MinimumLevel__Override__Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", "Fatal");
    }

    /// <summary>Settings this fixture changes or adds.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings)
    {
    }

    /// <summary>Registers a user named <paramref name="prefix"/>-random through the users API and gets its token.</summary>
    public Task<TestUser> CreateUserAsync(string prefix = "user", params string[] phoneNumbers) =>
        RegisterAsync($"{prefix}-{Suffix()}", phoneNumbers);

    private async Task<TestUser> RegisterAsync(string username, string[] phoneNumbers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users")
        {
            Content = JsonContent.Create(new { username, password = Password, phoneNumbers }),
        };
        request.Headers.Add("X-Admin-Key", AdminKey);
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<CreatedUser>(Json.Options);
        return new TestUser(username, Password, created!.Address, await TokenAsync(username, Password));
    }

    /// <summary>POST /api/v1/auth/token.</summary>
    public async Task<string> TokenAsync(string username, string password)
    {
        using var response = await Http.PostAsJsonAsync("/api/v1/auth/token", new { username, password });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(Json.Options);
        return token!.AccessToken;
    }

    /// <summary>POST /api/v1/anonymous-tokens with the server-side API key.</summary>
    public async Task<TokenResponse> AnonymousTokenAsync(string[]? allowedCallees = null, string? displayName = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/anonymous-tokens")
        {
            Content = JsonContent.Create(new { allowedCallees, displayName }),
        };
        request.Headers.Add("X-Api-Key", AnonymousApiKey);
        using var response = await Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(Json.Options))!;
    }

    /// <summary>
    /// Opens a hub connection (a device) of <paramref name="user"/> and returns once the server has taken it in
    /// (<see cref="HubTestClient.WaitUntilPresentAsync"/>): a call placed to the user from then on rings it.
    /// </summary>
    public async Task<HubTestClient> ConnectAsync(TestUser user, string device = "phone")
    {
        var client = await HubTestClient.ConnectAsync(ServerAddress, user.Token, $"{user.Username}/{device}");
        await client.WaitUntilPresentAsync();
        return client;
    }

    /// <summary>Opens a hub connection with <paramref name="token"/>.</summary>
    public Task<HubTestClient> ConnectWithTokenAsync(string? token, string name = "client") =>
        HubTestClient.ConnectAsync(ServerAddress, token, name);

    public sealed record CreatedUser(string Address);

    public sealed record TokenResponse(string AccessToken, DateTimeOffset ExpiresAt, string Address);
}
