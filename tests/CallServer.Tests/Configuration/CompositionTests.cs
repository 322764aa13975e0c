using CallServer.Adapters;
using CallServer.Configuration;
using CallServer.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CallServer.Tests.Configuration;

/// <summary>The composition by feature: the state backend chosen once, and each feature's options bound, used and checked at start.</summary>
public sealed class CompositionTests
{
    [Fact]
    public void The_state_backend_is_chosen_once_and_registered_as_a_singleton()
    {
        var services = new ServiceCollection();
        var redis = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Redis:Configuration"] = "localhost:6379" }).Build();
        var memory = new ConfigurationBuilder().Build();

        Assert.Throws<InvalidOperationException>(() => StateBackend.Of(services));
        Assert.Same(StateBackend.Redis, StateBackend.Choose(services, redis));
        Assert.Same(StateBackend.Redis, StateBackend.Choose(services, memory)); // made already: the configuration is not read again
        Assert.Same(StateBackend.Redis, StateBackend.Of(services));
        Assert.Single(services, descriptor => descriptor.ServiceType == typeof(StateBackend));
        Assert.Throws<InvalidOperationException>(() => services.AddInMemoryState());
    }

    [Fact]
    public void Without_redis_the_state_is_in_memory()
    {
        var services = new ServiceCollection();

        services.AddState(new ConfigurationBuilder().Build());

        Assert.Same(StateBackend.InMemory, StateBackend.Of(services));
        Assert.Single(services, descriptor => descriptor.ServiceType == typeof(StateBackend));
    }

    [Fact]
    public async Task The_server_uses_the_options_of_each_feature()
    {
        CallServerFixture.QuietLogs();
        await using var factory = new CallServerFactory("Testing", new Dictionary<string, string?>
        {
            ["Jwt:SigningKey"] = CallServerFixture.SigningKey,
            ["Limits:MaximumReceiveMessageSize"] = "200000",
            ["Push:MaxRegistrationsPerUser"] = "3",
            ["Push:ClaimAfter"] = "00:00:02",
            ["Push:RequestTimeout"] = "00:00:04",
        });
        var services = factory.Services;

        Assert.Same(StateBackend.InMemory, services.GetRequiredService<StateBackend>());
        Assert.Equal(200000, services.GetRequiredService<IOptions<HubOptions>>().Value.MaximumReceiveMessageSize);
        Assert.Equal(200000 + 4096, services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.MaxRequestBodySize);
        var push = services.GetRequiredService<IOptions<PushOptions>>().Value;
        Assert.Equal((3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)), (push.MaxRegistrationsPerUser, push.ClaimAfter, push.RequestTimeout));
    }

    [Theory]
    [InlineData("Push:ClaimAfter", "00:00:00.100")]
    [InlineData("Drain:Delay", "00:00:30")]
    [InlineData("History:MaxEntriesPerUser", "0")]
    [InlineData("Limits:HubInvocationBurst", "0")]
    [InlineData("Network:TrustedProxies:0", "not-a-network")]
    public void A_setting_that_cannot_work_fails_the_start_naming_the_key(string key, string value)
    {
        CallServerFixture.QuietLogs();
        using var factory = new CallServerFactory("Testing", new Dictionary<string, string?>
        {
            ["Jwt:SigningKey"] = CallServerFixture.SigningKey,
            [key] = value,
        });

        var error = Record.Exception(() => factory.StartServer());

        Assert.NotNull(error);
        Assert.Contains(key, string.Join(" | ", Flatten(error)), StringComparison.Ordinal);
    }

    private static IEnumerable<string> Flatten(Exception error)
    {
        for (var e = error; e is not null; e = e.InnerException)
        {
            yield return e.Message;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }
            }
        }
    }
}
