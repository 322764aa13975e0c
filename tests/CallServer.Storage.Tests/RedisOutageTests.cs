using System.Diagnostics;
using CallServer.Adapters.Calls;
using CallServer.Adapters.DeviceMessaging;
using CallServer.Adapters.Presence;
using CallServer.Adapters.Redis;
using CallServer.Adapters.Timers;
using CallServer.Adapters.Users;
using CallServer.Application;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Hubs;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests;

/// <summary>
/// With Redis away every store operation fails fast with <c>Unavailable</c>; once it is back, the very same
/// objects work again. This class has a Redis server of its own, since it stops it.
/// </summary>
public sealed class RedisOutageTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    /// <summary>connectTimeout/syncTimeout are 1 s; "fast" leaves room for a loaded machine.</summary>
    private static readonly TimeSpan Fast = TimeSpan.FromSeconds(5);

    private static readonly DateTimeOffset Now = new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);

    private readonly RedisScope redis = new(server);

    [Fact]
    public async Task While_Redis_is_down_operations_fail_fast_with_Unavailable_and_work_again_after_a_restart()
    {
        var connection = redis.Connect();
        var calls = new RedisCallStore(connection, redis.Keys, Options.Create(new CallsOptions()));
        var timers = new RedisTimerQueue(connection, redis.Keys, redis.Options);
        var users = new RedisUserDirectory(connection, redis.Keys);
        var presence = new RedisPresence(connection, redis.Keys, new NodeIdentity());
        var before = Simple(User("alice"), User("bob"), Now);
        Assert.True(await calls.TryCreateAsync(before));
        await calls.PingAsync();

        server.Stop();

        var during = Simple(User("alice"), User("bob"), Now);
        var timer = new Domain.Ports.DueTimer(during.CallId, new TimerRequest(CallTimerKind.Ring, "1", Now));
        await Unavailable(() => calls.GetAsync(before.CallId));
        await Unavailable(() => calls.TryCreateAsync(during));
        await Unavailable(() => calls.TrySaveAsync(before with { Version = 2 }, 1));
        await Unavailable(() => calls.GetActiveCallsOfAsync(User("alice")));
        await Unavailable(() => calls.PingAsync());
        await Unavailable(() => timers.ScheduleAsync(timer));
        await Unavailable(() => timers.ClaimDueAsync(Now, 10));
        await Unavailable(() => timers.CompleteAsync(timer));
        await Unavailable(() => users.FindAsync(User("alice")));
        await Unavailable(() => users.ListAsync());
        await Unavailable(() => presence.GetDevicesAsync(User("alice")));
        await Unavailable(() => presence.AddAsync(User("alice"), "phone"));

        await server.StartAsync();

        // The multiplexer reconnects on its own: the same objects work again, scripts included
        // (the restarted server has an empty script cache).
        await Eventually.SucceedsAsync(() => calls.PingAsync(), TimeSpan.FromSeconds(20), "the call store reconnects after the restart");
        Assert.Null(await calls.GetAsync(before.CallId)); // no persistence: the old data is gone
        Assert.True(await calls.TryCreateAsync(during));
        Assert.True(await calls.TrySaveAsync(during with { Version = 2, Phase = CallPhase.Dialing }, 1));
        Assert.Equal(CallPhase.Dialing, (await calls.GetAsync(during.CallId))!.Phase);
        Assert.Single(await calls.GetActiveCallsOfAsync(User("alice")));
        await timers.ScheduleAsync(timer);
        Assert.Equal(timer, Assert.Single(await timers.ClaimDueAsync(Now, 10)));
        Assert.True(await users.TryAddAsync(new Domain.Ports.UserAccount("alice", User("alice"), "h", [], Now)));
        await presence.AddAsync(User("alice"), "phone");
        Assert.Equal(["phone"], await presence.GetDevicesAsync(User("alice")));
    }

    [Fact]
    public async Task A_store_whose_first_connection_finds_Redis_down_works_once_it_is_up()
    {
        server.Stop();
        try
        {
            var calls = new RedisCallStore(redis.Connect(lazy: true), redis.Keys, Options.Create(new CallsOptions()));
            await Unavailable(() => calls.PingAsync());
            await Unavailable(() => calls.GetAsync("any"));
        }
        finally
        {
            await server.StartAsync();
        }
    }

    [Fact]
    public async Task After_a_restart_the_compare_and_set_script_runs_again()
    {
        var calls = new RedisCallStore(redis.Connect(), redis.Keys, Options.Create(new CallsOptions()));
        var first = Simple(User("alice"), User("bob"), Now);
        Assert.True(await calls.TryCreateAsync(first)); // the script is cached by the server and the client

        await server.RestartAsync();

        var second = Simple(User("alice"), User("bob"), Now);
        await Eventually.SucceedsAsync(() => calls.PingAsync(), TimeSpan.FromSeconds(20), "the call store reconnects after the restart");

        Assert.True(await calls.TryCreateAsync(second));
        Assert.True(await calls.TrySaveAsync(second with { Version = 2 }, 1));
        CallAssert.Same(second with { Version = 2 }, await calls.GetAsync(second.CallId));
    }

    [Fact]
    public async Task A_node_keeps_receiving_cross_node_events_after_Redis_restarts()
    {
        var nodeA = new NodeIdentity();
        var nodeB = new NodeIdentity();
        var connectionA = redis.Connect();
        var connectionB = redis.Connect();
        var hubB = new DeviceMessaging.RecordingHubContext();
        var messengerA = new RedisDeviceMessenger(DeviceMessaging.LocalMessengers.For(new DeviceMessaging.RecordingHubContext()), new LocalConnections(), connectionA, redis.Keys, nodeA);
        var presenceB = new RedisPresence(connectionB, redis.Keys, nodeB);
        var channel = (string)redis.Keys.NodeChannel(nodeB.Id)!;
        using var listenerB = new NodeChannelListener(DeviceMessaging.LocalMessengers.For(hubB), connectionB, redis.Keys, nodeB, NullLogger<NodeChannelListener>.Instance);
        await listenerB.StartAsync(CancellationToken.None);
        await presenceB.AddAsync(User("bob"), "bob-phone");
        await Eventually.TrueAsync(() => Subscribed(channel), TimeSpan.FromSeconds(15), "node B subscribes");
        await messengerA.SendAsync("bob-phone", "Before", []);
        await Eventually.TrueAsync(() => hubB.Sent.Count == 1, TimeSpan.FromSeconds(15), "the first event arrives");

        await server.RestartAsync();

        // Node B's multiplexer resubscribes on its own; the restarted Redis lost presence, so B's device registers again.
        await Eventually.TrueAsync(() => Subscribed(channel), TimeSpan.FromSeconds(20), "node B resubscribes after the restart");
        await Eventually.SucceedsAsync(() => connectionA.Database.PingAsync(), TimeSpan.FromSeconds(20), "node A reconnects");
        await Eventually.SucceedsAsync(() => presenceB.AddAsync(User("bob"), "bob-phone"), TimeSpan.FromSeconds(20), "node B registers its device again");
        for (var i = 0; i < 20; i++)
        {
            await messengerA.SendAsync("bob-phone", "After", [i]);
        }

        await Eventually.TrueAsync(() => hubB.Sent.Count >= 21, TimeSpan.FromSeconds(15), "the events after the restart arrive");
        await listenerB.StopAsync(CancellationToken.None);
        var sent = hubB.Sent.ToArray();
        Assert.Equal(21, sent.Length);
        Assert.Equal("Before", sent[0].Method);
        Assert.Equal(
            Enumerable.Range(0, 20),
            sent.Skip(1).Select(s => Assert.IsType<System.Text.Json.JsonElement>(Assert.Single(s.Arguments)).GetInt32()));
    }

    public void Dispose() => redis.Dispose();

    private async Task<bool> Subscribed(string channel) =>
        await server.ExecuteAsync("PUBSUB", "NUMSUB", channel) is List<object?> reply && reply[1] is long count && count > 0;

    [Fact]
    public async Task While_Redis_is_stalled_every_read_answers_Unavailable_within_the_operation_timeout_and_all_work_again_after()
    {
        var bound = TimeSpan.FromMilliseconds(500);
        using var scope = new RedisScope(server, options => options.OperationTimeout = bound);
        var connection = scope.Connect();
        await AnswersAsync(connection);
        var calls = new RedisCallStore(connection, scope.Keys, Options.Create(new CallsOptions()));
        var timers = new RedisTimerQueue(connection, scope.Keys, scope.Options);
        var users = new RedisUserDirectory(connection, scope.Keys);
        var presence = new RedisPresence(connection, scope.Keys, new NodeIdentity());
        var call = Simple(User("alice"), User("bob"), Now);
        Assert.True(await calls.TryCreateAsync(call));

        server.Pause();
        try
        {
            // Reads only: a write already on the wire is carried out when Redis goes on (see reliability.md).
            await UnavailableWithin(bound, () => calls.GetAsync(call.CallId));
            await UnavailableWithin(bound, () => calls.GetActiveCallsOfAsync(User("alice")));
            await UnavailableWithin(bound, () => calls.PingAsync());
            await UnavailableWithin(bound, () => users.FindAsync(User("alice")));
            await UnavailableWithin(bound, () => presence.GetDevicesAsync(User("alice")));
            await UnavailableWithin(bound, () => timers.ClaimDueAsync(Now.AddYears(-1), 10));
        }
        finally
        {
            server.Resume();
        }

        await Eventually.SucceedsAsync(() => calls.PingAsync(), TimeSpan.FromSeconds(20), "the call store answers again once Redis goes on");
        CallAssert.Same(call, (await calls.GetAsync(call.CallId))!);
        Assert.True(await calls.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Dialing }, 1));
        Assert.Equal(CallPhase.Dialing, (await calls.GetAsync(call.CallId))!.Phase);
    }

    [Fact]
    public async Task A_save_or_a_claim_that_reaches_a_stalled_Redis_after_its_sender_gave_up_changes_nothing_when_Redis_goes_on()
    {
        var bound = TimeSpan.FromMilliseconds(500);
        using var scope = new RedisScope(server, options => options.OperationTimeout = bound);
        var connection = scope.Connect();
        await AnswersAsync(connection);
        // As the node heartbeat does, every beat until it succeeds (the first command right after a connect
        // may be slow on this machine).
        await Eventually.SucceedsAsync(connection.SampleClockAsync, TimeSpan.FromSeconds(15), "the clock offset to Redis is measured");
        var calls = new RedisCallStore(connection, scope.Keys, Options.Create(new CallsOptions()));
        var timers = new RedisTimerQueue(connection, scope.Keys, scope.Options);
        var call = Simple(User("alice"), User("bob"), Now);
        var timer = new Domain.Ports.DueTimer(call.CallId, new TimerRequest(CallTimerKind.Ring, "1", Now));
        Assert.True(await calls.TryCreateAsync(call, timers: [timer.Request]));

        server.Pause();
        try
        {
            // Both are on the wire when their senders give up; Redis carries them out once it goes on.
            await UnavailableWithin(bound, () => calls.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Dialing }, 1));
            await UnavailableWithin(bound, () => timers.ClaimDueAsync(Now, 10));
        }
        finally
        {
            server.Resume();
        }

        await Eventually.SucceedsAsync(() => calls.PingAsync(), TimeSpan.FromSeconds(20), "the call store answers again once Redis goes on");

        // Neither took effect: the call is as it was, and the timer is due now, not held by a claim's lease.
        CallAssert.Same(call, await calls.GetAsync(call.CallId));
        Assert.Equal([timer], await timers.ClaimDueAsync(Now, 10));
    }

    /// <summary>Waits until the new connection answers (the first command right after a connect may be slow here).</summary>
    private static Task AnswersAsync(RedisConnection connection) =>
        Eventually.SucceedsAsync(() => connection.Database.PingAsync(), TimeSpan.FromSeconds(15), "the new connection answers");

    private static async Task UnavailableWithin(TimeSpan bound, Func<Task> operation)
    {
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreUnavailableException>(operation);
        watch.Stop();

        // The bound, plus scheduling on a shared machine; a stall of its own length would be far more.
        Assert.True(watch.Elapsed < bound + TimeSpan.FromSeconds(1), $"answering took {watch.Elapsed}; the bound is {bound}");
    }

    private static async Task Unavailable(Func<Task> operation)
    {
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAsync<StoreUnavailableException>(operation);
        watch.Stop();

        Assert.True(watch.Elapsed < Fast, $"failing took {watch.Elapsed}, more than {Fast}");
    }
}
