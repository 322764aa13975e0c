using CallServer.Adapters.Calls;
using CallServer.Adapters.Redis;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Cluster;
using CallServer.Observability.Metrics;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Calls;

/// <summary>
/// Redis:ReplicasToAcknowledgeEnd on a real primary with a real replica: a save that ends a call returns once the
/// replica has it (a failover right after cannot bring the call back in progress); with the replica stalled, the
/// save still stands after the wait's bound. Other saves never wait.
/// </summary>
public sealed class RedisReplicaWaitTests(RedisServer primary) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static readonly TimeSpan WaitBound = TimeSpan.FromMilliseconds(300);

    private readonly RedisServer replica = new() { ReplicaOf = primary.Port };
    private readonly CallServerMetrics metrics = new(new LocalConnections());
    private RedisScope? scope;

    public async Task InitializeAsync()
    {
        await replica.InitializeAsync();
        // WAIT blocks until the replica has synchronised and acknowledged: an event, with a bound (each WAIT stays
        // within the helper's 5 s command limit; a loaded machine may need a few).
        object? acknowledged = 0L;
        for (var attempt = 0; attempt < 5 && acknowledged is not 1L; attempt++)
        {
            await primary.ExecuteAsync("SET", "replica-sync-probe", attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            acknowledged = await primary.ExecuteAsync("WAIT", "1", "3000");
        }

        Assert.Equal(1L, acknowledged);
        scope = new RedisScope(primary, options =>
        {
            options.ReplicasToAcknowledgeEnd = 1;
            options.ReplicaWaitTimeout = WaitBound;
            options.OperationTimeout = TimeSpan.FromSeconds(3);
        });
    }

    [Fact]
    public async Task A_saved_end_is_on_the_replica_when_the_save_returns_and_a_stalled_replica_delays_it_by_the_bound_only()
    {
        var connection = scope!.Connect();
        var wait = new RedisReplicaWait(connection, scope.Options, metrics, NullLogger<RedisReplicaWait>.Instance);
        var store = new RedisCallStore(connection, scope.Keys, Options.Create(new CallsOptions()), replicaWait: wait);
        var now = DateTimeOffset.UtcNow;

        var call = Simple(User("alice"), User("bob"), now);
        Assert.True(await store.TryCreateAsync(call));
        Assert.True(await store.TrySaveAsync(Ended(call), 1));
        Assert.Contains("Ended", (string)(await replica.ExecuteAsync("HGET", (string)scope.Keys.Call(call.CallId)!, "d"))!);
        Assert.Equal(1L, await wait.AfterEndAsync(call.CallId, scope.Keys.Call(call.CallId)));

        // The replica stalls: the end is saved all the same, after the wait's bound, and the wait says none acknowledged.
        var other = Simple(User("carol"), User("dave"), now);
        Assert.True(await store.TryCreateAsync(other)); // no wait for a save that does not end a call
        replica.Pause();
        try
        {
            var started = TimeProvider.System.GetTimestamp();
            Assert.True(await store.TrySaveAsync(Ended(other), 1));
            Assert.True(TimeProvider.System.GetElapsedTime(started) >= WaitBound - TimeSpan.FromMilliseconds(20), "the save waited for the replica");
            Assert.Equal(CallPhase.Ended, (await store.GetAsync(other.CallId))!.Phase);
            Assert.Equal(0L, await wait.AfterEndAsync(other.CallId, scope.Keys.Call(other.CallId)));
        }
        finally
        {
            replica.Resume();
        }
    }

    private static Call Ended(Call call) => call with
    {
        Version = call.Version + 1,
        Phase = CallPhase.Ended,
        EndedAt = call.CreatedAt.AddSeconds(5),
        Caller = call.Caller with { End = new CallEnd(EndReason.EndedLocally, 200) },
    };

    public async Task DisposeAsync()
    {
        scope?.Dispose();
        metrics.Dispose();
        await replica.DisposeAsync();
    }
}
