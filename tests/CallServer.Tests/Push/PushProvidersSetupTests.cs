using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Ports;
using CallServer.Push;
using CallServer.Push.Providers;
using CallServer.Tests.Push.StandIns;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static CallServer.Tests.Push.PushTestKit;

namespace CallServer.Tests.Push;

/// <summary><c>AddPushProviders</c>: what it registers from <c>Push:*</c>, and the settings it refuses.</summary>
public sealed class PushProvidersSetupTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings, bool withNode = false)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddLogging();
        if (withNode)
        {
            services.AddSingleton<NodeIdentity>();
        }

        return services.AddPushProviders(configuration).BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public async Task Configured_apns_fcm_and_web_push_are_three_configured_providers_and_apns_reaches_its_endpoint_with_the_nodes_user_agent()
    {
        using var apnsKey = new ApnsTestKey();
        using var serviceAccount = new ServiceAccountTestKey();
        await using var apns = await ApnsStandIn.StartAsync(apnsKey.PublicKey, "KEY7654321", "TEAM123456");
        using var services = Services(new()
        {
            ["Push:RequestTimeout"] = "00:00:03",
            ["Push:Apns:Endpoint"] = apns.Endpoint,
            ["Push:Apns:TeamId"] = "TEAM123456",
            ["Push:Apns:KeyId"] = "KEY7654321",
            ["Push:Apns:PrivateKey"] = apnsKey.Pkcs8Pem,
            ["Push:Apns:Topic"] = "com.example.phone",
            ["Push:Fcm:ProjectId"] = "callserver-test",
            ["Push:Fcm:ServiceAccountJson"] = serviceAccount.Json("callserver-test"),
        }, withNode: true);

        var providers = services.GetServices<IPushProvider>().ToList();
        var outcome = await providers.Single(p => p.Platform == PushPlatform.Apns)
            .SendAsync(Registration(PushPlatform.Apns, token: "0a0b0c"), Incoming(), CancellationToken.None);

        Assert.Equal([PushPlatform.Apns, PushPlatform.Fcm, PushPlatform.WebPush], providers.Select(p => p.Platform));
        Assert.All(providers, provider => Assert.True(provider.IsConfigured));
        Assert.Same(services.GetRequiredService<ApnsProvider>(), providers[0]);
        Assert.Equal(PushOutcomeKind.Delivered, outcome.Kind);
        var request = await apns.Requests.NextAsync();
        Assert.Empty(request.Problems);
        Assert.Equal($"(node {services.GetRequiredService<NodeIdentity>().Id})", request.Header("user-agent")!.Split(' ', 2)[1]);
        Assert.Equal(TimeSpan.FromSeconds(3), services.GetRequiredService<IOptions<PushOptions>>().Value.RequestTimeout);
    }

    [Fact]
    public void With_no_push_settings_only_web_push_is_configured_with_keys_of_this_process()
    {
        using var services = Services([]);

        var providers = services.GetServices<IPushProvider>().ToDictionary(p => p.Platform);
        var keys = services.GetRequiredService<WebPushVapidKeys>();

        Assert.False(providers[PushPlatform.Apns].IsConfigured);
        Assert.False(providers[PushPlatform.Fcm].IsConfigured);
        Assert.True(providers[PushPlatform.WebPush].IsConfigured);
        Assert.True(keys.IsEphemeral);
        Assert.Equal(87, keys.PublicKey.Length); // 65 bytes in base64url without padding
        Assert.Same(keys, services.GetRequiredService<WebPushVapidKeys>());
    }

    [Fact]
    public void The_defaults_are_apples_and_googles_production_endpoints_and_ten_seconds()
    {
        using var services = Services([]);

        var options = services.GetRequiredService<IOptions<PushOptions>>().Value;

        Assert.Equal("https://api.push.apple.com", options.Apns.Endpoint);
        Assert.Equal("https://fcm.googleapis.com", options.Fcm.Endpoint);
        Assert.Equal("https://oauth2.googleapis.com/token", options.Fcm.TokenEndpoint);
        Assert.Equal(TimeSpan.FromSeconds(10), options.RequestTimeout);
    }

    [Theory]
    [InlineData("Push:Apns:TeamId", "TEAM123456", "Push:Apns is configured in part")]
    [InlineData("Push:Apns:PrivateKey", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----", "Push:Apns is configured in part")]
    [InlineData("Push:Fcm:ProjectId", "callserver-test", "Push:Fcm is configured in part")]
    [InlineData("Push:WebPush:PublicKey", "BKxyz", "Push:WebPush:PublicKey and Push:WebPush:PrivateKey go together")]
    [InlineData("Push:WebPush:Subject", "ops@example.com", "Push:WebPush:Subject must be a mailto: or https: URI")]
    [InlineData("Push:RequestTimeout", "00:00:00", "Push:RequestTimeout must be positive")]
    [InlineData("Push:Fcm:Endpoint", "fcm.googleapis.com", "Push:Fcm:Endpoint must be an absolute http(s) URL")]
    public void Settings_that_cannot_work_are_refused_naming_the_setting(string key, string value, string expected)
    {
        using var services = Services(new() { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PushOptions>>().Value);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_apns_key_that_is_not_a_pem_key_is_refused_without_showing_it()
    {
        using var services = Services(new()
        {
            ["Push:Apns:TeamId"] = "TEAM123456",
            ["Push:Apns:KeyId"] = "KEY7654321",
            ["Push:Apns:PrivateKey"] = "secret-but-not-pem",
            ["Push:Apns:Topic"] = "com.example.phone",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PushOptions>>().Value);

        Assert.Contains("not the PEM of a private EC key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-but-not-pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_service_account_that_is_not_a_key_file_is_refused()
    {
        using var services = Services(new()
        {
            ["Push:Fcm:ProjectId"] = "callserver-test",
            ["Push:Fcm:ServiceAccountJson"] = """{"type":"authorized_user","client_id":"x"}""",
        });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<PushOptions>>().Value);

        Assert.Contains("is not a service account key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Keys_from_files_are_read_from_their_paths()
    {
        using var apnsKey = new ApnsTestKey();
        using var serviceAccount = new ServiceAccountTestKey();
        var directory = Directory.CreateTempSubdirectory("push-keys-");
        try
        {
            File.WriteAllText(Path.Combine(directory.FullName, "AuthKey.p8"), apnsKey.Pkcs8Pem);
            File.WriteAllText(Path.Combine(directory.FullName, "service-account.json"), serviceAccount.Json("callserver-test"));
            using var services = Services(new()
            {
                ["Push:Apns:TeamId"] = "TEAM123456",
                ["Push:Apns:KeyId"] = "KEY7654321",
                ["Push:Apns:PrivateKeyPath"] = Path.Combine(directory.FullName, "AuthKey.p8"),
                ["Push:Apns:Topic"] = "com.example.phone",
                ["Push:Fcm:ProjectId"] = "callserver-test",
                ["Push:Fcm:ServiceAccountJsonPath"] = Path.Combine(directory.FullName, "service-account.json"),
            });

            Assert.True(services.GetRequiredService<ApnsProvider>().IsConfigured);
            Assert.True(services.GetRequiredService<FcmProvider>().IsConfigured);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
