using CallServer.Configuration;
using CallServer.Push;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CallServer.Tests.Configuration;

/// <summary>
/// The validators of the options that had inline checks: the defaults pass, and each value that cannot work
/// is refused with a message naming its key. The options are bound from the keys, as the server binds them.
/// </summary>
public sealed class OptionsValidatorTests
{
    [Fact]
    public void The_defaults_and_ordinary_settings_pass()
    {
        Assert.True(Validate(new AnonymousCallsOptionsValidator(), AnonymousCallsOptions.Section, []).Succeeded);
        Assert.True(Validate(new PstnOptionsValidator(), PstnOptions.Section, []).Succeeded);
        Assert.True(Validate(new PstnOptionsValidator(), PstnOptions.Section, new() { ["Pstn:GatewayUser"] = "pstn-gw" }).Succeeded);
        Assert.True(Validate(new PstnOptionsValidator(), PstnOptions.Section, new() { ["Pstn:GatewayUser"] = "pstn-gw@callserver.local" }).Succeeded);
        Assert.True(Validate(new LimitsOptionsValidator(), LimitsOptions.Section, []).Succeeded);
        Assert.True(Validate(new IceServersOptionsValidator(), IceServersOptions.Section, []).Succeeded);
        Assert.True(Validate(new DrainOptionsValidator(), DrainOptions.Section, []).Succeeded);
        Assert.True(Validate(new DrainOptionsValidator(), DrainOptions.Section, new() { ["Drain:Delay"] = "00:00:00" }).Succeeded);
        Assert.True(Validate(new DrainOptionsValidator(), DrainOptions.Section, new() { ["Drain:Delay"] = "00:00:24.999" }).Succeeded);
        Assert.True(Validate(new NetworkOptionsValidator(), NetworkOptions.Section, []).Succeeded);
        Assert.True(Validate(new NetworkOptionsValidator(), NetworkOptions.Section, new() { ["Network:TrustedProxies:0"] = "172.16.0.0/12", ["Network:TrustedProxies:1"] = "fd00::/8" }).Succeeded);
        Assert.True(Validate(new HistoryOptionsValidator(), HistoryOptions.Section, []).Succeeded);
        Assert.True(Validate(new PushOptionsValidator(), PushOptions.Section, []).Succeeded);
        Assert.True(Validate(new PushOptionsValidator(), PushOptions.Section, new() { ["Push:ClaimAfter"] = "00:00:00.300" }).Succeeded);
    }

    [Theory]
    [InlineData("AnonymousCalls:TokenLifetime", "00:00:00")]
    [InlineData("AnonymousCalls:TokenLifetime", "-00:01:00")]
    public void Anonymous_calls_settings_that_cannot_work_are_refused_naming_the_key(string key, string value) =>
        AssertRefused(new AnonymousCallsOptionsValidator(), AnonymousCallsOptions.Section, key, value);

    [Theory]
    [InlineData("Pstn:GatewayUser", "not a user")]
    [InlineData("Pstn:GatewayUser", "@callserver.local")]
    public void A_gateway_user_that_is_not_a_username_is_refused_naming_the_key(string key, string value) =>
        AssertRefused(new PstnOptionsValidator(), PstnOptions.Section, key, value);

    [Theory]
    [InlineData("Limits:HubInvocationsPerSecond", "0")]
    [InlineData("Limits:HubInvocationBurst", "0")]
    [InlineData("Limits:MaximumReceiveMessageSize", "0")]
    [InlineData("Limits:MaxDevicesPerUser", "-1")]
    [InlineData("Limits:UserInvocationsPerSecond", "0")]
    [InlineData("Limits:UserInvocationBurst", "0")]
    public void Limits_that_are_not_positive_are_refused_naming_the_key(string key, string value) =>
        AssertRefused(new LimitsOptionsValidator(), LimitsOptions.Section, key, value);

    [Theory]
    [InlineData("IceServers:CredentialLifetime", "00:00:00")]
    public void Ice_server_settings_that_cannot_work_are_refused_naming_the_key(string key, string value) =>
        AssertRefused(new IceServersOptionsValidator(), IceServersOptions.Section, key, value);

    [Theory]
    [InlineData("Drain:Delay", "-00:00:01")]
    [InlineData("Drain:Delay", "00:00:25")]
    [InlineData("Drain:Delay", "00:01:00")]
    public void A_drain_delay_outside_0_to_25_seconds_is_refused_naming_the_key(string key, string value) =>
        AssertRefused(new DrainOptionsValidator(), DrainOptions.Section, key, value);

    [Theory]
    [InlineData("Network:TrustedProxies:0", "load-balancer")]
    [InlineData("Network:TrustedProxies:0", "10.0.0.1/33")]
    public void A_trusted_proxy_that_is_not_a_cidr_network_is_refused_naming_the_key(string key, string value) =>
        AssertRefused(new NetworkOptionsValidator(), NetworkOptions.Section, key, value);

    [Fact]
    public void Only_the_trusted_proxies_that_are_not_networks_are_named()
    {
        var result = Validate(new NetworkOptionsValidator(), NetworkOptions.Section, new()
        {
            ["Network:TrustedProxies:0"] = "10.0.0.0/8",
            ["Network:TrustedProxies:1"] = "proxy.internal",
        });

        Assert.True(result.Failed);
        Assert.Contains("Network:TrustedProxies:1", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Network:TrustedProxies:0", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("History:MaxEntriesPerUser", "0")]
    [InlineData("History:MaxAge", "00:00:00")]
    [InlineData("History:PollInterval", "00:00:00")]
    [InlineData("History:MaxConcurrentWrites", "0")]
    [InlineData("History:ClaimAfter", "00:00:00.299")]
    public void History_settings_that_are_not_positive_are_refused_naming_the_key(string key, string value) =>
        AssertRefused(new HistoryOptionsValidator(), HistoryOptions.Section, key, value);

    [Theory]
    [InlineData("Push:MaxRegistrationsPerUser", "0")]
    [InlineData("Push:PollInterval", "00:00:00")]
    [InlineData("Push:ClaimAfter", "00:00:00.299")]
    [InlineData("Push:MaxConcurrentPushes", "0")]
    [InlineData("Push:RequestTimeout", "00:00:00")]
    public void Push_outbox_settings_that_cannot_work_are_refused_naming_the_key(string key, string value) =>
        AssertRefused(new PushOptionsValidator(), PushOptions.Section, key, value);

    [Theory]
    [InlineData("Webhooks:MaxInFlight", "0")]
    [InlineData("Webhooks:LeaderLease", "00:00:00.299")]
    [InlineData("Webhooks:FailingWarningAfter", "00:00:00")]
    public void Webhook_outbox_settings_that_cannot_work_are_refused_naming_the_key(string key, string value) =>
        AssertRefused(new WebhooksOptionsValidator(), WebhooksOptions.Section, key, value);

    [Theory]
    [InlineData("Has-Upper", null)]
    [InlineData("with space", null)]
    [InlineData("a-very-long-receiver-name-over-32-chars", null)]
    [InlineData("same", "same")]
    [InlineData(null, null)] // two endpoints of the same URL need their own Ids
    public void Receiver_ids_that_are_not_names_or_not_unique_are_refused(string? first, string? second)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (index, id) in new[] { (0, first), (1, second) })
        {
            settings[$"Webhooks:Endpoints:{index}:Url"] = "https://backend.example.com/hooks";
            settings[$"Webhooks:Endpoints:{index}:Secret"] = "whsec_" + Convert.ToBase64String(new byte[32]);
            if (id is not null)
            {
                settings[$"Webhooks:Endpoints:{index}:Id"] = id;
            }
        }

        if (first is not null && second is null && first != "same")
        {
            settings["Webhooks:Endpoints:1:Url"] = "https://other.example.com/hooks"; // only the bad Id is wrong
        }

        var result = Validate(new WebhooksOptionsValidator(), WebhooksOptions.Section, settings);
        Assert.True(result.Failed);
        Assert.Contains("Webhooks:Endpoints:", result.FailureMessage, StringComparison.Ordinal);

        settings["Webhooks:Endpoints:0:Id"] = "live";
        settings["Webhooks:Endpoints:1:Id"] = "staging";
        Assert.False(Validate(new WebhooksOptionsValidator(), WebhooksOptions.Section, settings).Failed);
    }

    [Fact]
    public void Every_bad_value_is_reported_not_only_the_first()
    {
        var result = Validate(new HistoryOptionsValidator(), HistoryOptions.Section, new()
        {
            ["History:MaxEntriesPerUser"] = "0",
            ["History:MaxConcurrentWrites"] = "0",
        });

        Assert.Equal(2, result.Failures!.Count());
    }

    private static void AssertRefused<TOptions>(IValidateOptions<TOptions> validator, string section, string key, string value)
        where TOptions : class, new()
    {
        var result = Validate(validator, section, new() { [key] = value });

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    private static ValidateOptionsResult Validate<TOptions>(IValidateOptions<TOptions> validator, string section, Dictionary<string, string?> settings)
        where TOptions : class, new()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(section).Get<TOptions>() ?? new TOptions();
        return validator.Validate(Options.DefaultName, options);
    }
}
