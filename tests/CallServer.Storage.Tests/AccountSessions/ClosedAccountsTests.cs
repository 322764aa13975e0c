using CallServer.Adapters.AccountSessions;
using CallServer.Cluster;
using CallServer.Hubs;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.AccountSessions;

/// <summary>A deleted user's connections close on every node: node A publishes, node B closes its own.</summary>
public sealed class ClosedAccountsTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    private readonly RedisScope redis = new(server);

    [Fact]
    public async Task An_account_closed_on_one_node_loses_its_connections_on_another_and_no_one_else_does()
    {
        var connectionsB = new LocalConnections();
        var alicesDeviceClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bobsDeviceClosed = false;
        connectionsB.Add("alice-on-b", User("alice").Value, () => alicesDeviceClosed.TrySetResult());
        connectionsB.Add("bob-on-b", User("bob").Value, () => bobsDeviceClosed = true);
        using var listenerB = new ClosedAccountsListener(redis.Connect(), redis.Keys, connectionsB, NullLogger<ClosedAccountsListener>.Instance);
        await listenerB.StartAsync(CancellationToken.None);
        try
        {
            var channel = (string)redis.Keys.ClosedAccountsChannel!;
            await Eventually.TrueAsync(
                async () => await server.ExecuteAsync("PUBSUB", "NUMSUB", channel) is List<object?> reply && reply[1] is long count && count > 0,
                TimeSpan.FromSeconds(15),
                "node B listens for closed accounts");

            await new RedisAccountSessions(redis.Connect(), redis.Keys).CloseAllAsync(User("alice"));

            await alicesDeviceClosed.Task.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.False(bobsDeviceClosed);
            await listenerB.StopAsync(CancellationToken.None);
        }
        finally
        {
            listenerB.Dispose();
        }
    }

    public void Dispose() => redis.Dispose();
}
