using System.Text.Json;
using CallServer.Adapters.DeviceMessaging;
using CallServer.Adapters.Presence;
using CallServer.Cluster;
using CallServer.Hubs;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.DeviceMessaging;

/// <summary>
/// Node A sends events for a device connected to node B: they travel over B's Redis channel and reach the
/// device once each, in order. The hubs are recording fakes; everything between them is the real thing.
/// </summary>
public sealed class CrossNodeDeliveryTests : IClassFixture<RedisServer>, IDisposable
{
    private const int Count = 200;

    private readonly RedisServer server;
    private readonly RedisScope redis;
    private readonly NodeIdentity nodeA = new();
    private readonly NodeIdentity nodeB = new();
    private readonly RecordingHubContext hubA = new();
    private readonly RecordingHubContext hubB = new();
    private readonly RedisDeviceMessenger messengerA;
    private readonly RedisPresence presenceB;

    public CrossNodeDeliveryTests(RedisServer server)
    {
        this.server = server;
        redis = new RedisScope(server);
        var connectionA = redis.Connect();
        var connectionB = redis.Connect();
        messengerA = new RedisDeviceMessenger(LocalMessengers.For(hubA), new LocalConnections(), connectionA, redis.Keys, nodeA);
        presenceB = new RedisPresence(connectionB, redis.Keys, nodeB);
        ListenerB = new NodeChannelListener(LocalMessengers.For(hubB), connectionB, redis.Keys, nodeB, NullLogger<NodeChannelListener>.Instance);
    }

    private NodeChannelListener ListenerB { get; }

    [Fact]
    public async Task Events_for_a_device_on_another_node_arrive_once_and_in_order()
    {
        await presenceB.AddAsync(User("bob"), "bob-phone");
        await ListenerB.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilSubscribedAsync((string)redis.Keys.NodeChannel(nodeB.Id)!);

            for (var i = 0; i < Count; i++)
            {
                await messengerA.SendAsync("bob-phone", "CallUpdated", [new { sequence = i, state = "Ringing" }, i]);
            }

            await Eventually.TrueAsync(() => hubB.Sent.Count >= Count, TimeSpan.FromSeconds(15), $"{Count} events reach node B");
            await ListenerB.StopAsync(CancellationToken.None);
        }
        finally
        {
            ListenerB.Dispose();
        }

        var sent = hubB.Sent.ToArray();
        Assert.Equal(Count, sent.Length);
        Assert.All(sent, s => Assert.Equal(("bob-phone", "CallUpdated"), (s.ConnectionId, s.Method)));
        var sequences = sent.Select(s =>
        {
            var payload = Assert.IsType<JsonElement>(s.Arguments[0]);
            var second = Assert.IsType<JsonElement>(s.Arguments[1]);
            Assert.Equal("Ringing", payload.GetProperty("state").GetString());
            Assert.Equal(payload.GetProperty("sequence").GetInt32(), second.GetInt32());
            return second.GetInt32();
        });
        Assert.Equal(Enumerable.Range(0, Count), sequences);
        Assert.Empty(hubA.Sent);
    }

    [Fact]
    public async Task The_published_node_messages_are_the_events_in_order()
    {
        await presenceB.AddAsync(User("bob"), "bob-phone");
        var channel = redis.Keys.NodeChannel(nodeB.Id);
        var received = new System.Collections.Concurrent.ConcurrentQueue<byte[]>();
        using var raw = ConnectionMultiplexer.Connect(server.ConnectionString);

        // The ordered form of a subscription (the handler form does not keep a channel's order on 2.x and later).
        (await raw.GetSubscriber().SubscribeAsync(channel)).OnMessage(message => received.Enqueue((byte[])message.Message!));

        for (var i = 0; i < Count; i++)
        {
            await messengerA.SendAsync("bob-phone", "IceCandidateReceived", [i]);
        }

        await Eventually.TrueAsync(() => received.Count >= Count, TimeSpan.FromSeconds(15), $"{Count} messages on node B's channel");
        var messages = received.Select(m => NodeMessage.Parse(m, HubJson.Options)).ToList();
        Assert.Equal(Count, messages.Count);
        Assert.All(messages, m => Assert.Equal(("bob-phone", "IceCandidateReceived"), (m.DeviceId, m.Method)));
        Assert.Equal(Enumerable.Range(0, Count), messages.Select(m => Assert.Single(m.Arguments).GetInt32()));
    }

    [Fact]
    public async Task Events_for_unknown_devices_or_devices_of_the_sender_are_not_published()
    {
        var channelA = redis.Keys.NodeChannel(nodeA.Id);
        var channelB = redis.Keys.NodeChannel(nodeB.Id);
        var received = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var raw = ConnectionMultiplexer.Connect(server.ConnectionString);
        await raw.GetSubscriber().SubscribeAsync(channelA, (_, message) => received.Enqueue("A " + message));
        await raw.GetSubscriber().SubscribeAsync(channelB, (_, message) => received.Enqueue("B " + message));

        // A device known to be on node A but not in its local devices (it just left): nothing to publish.
        await server.ExecuteAsync("HSET", (string)redis.Keys.DeviceNodes!, "stale-on-a", nodeA.Id);
        await messengerA.SendAsync("stale-on-a", "CallUpdated", [1]);
        await messengerA.SendAsync("nowhere", "CallUpdated", [2]);

        // A marker proves the subscription works, so the silence before it is meaningful.
        await presenceB.AddAsync(User("bob"), "bob-phone");
        await messengerA.SendAsync("bob-phone", "Marker", []);
        await Eventually.TrueAsync(() => !received.IsEmpty, TimeSpan.FromSeconds(15), "the marker arrives");

        var only = Assert.Single(received);
        Assert.StartsWith("B ", only, StringComparison.Ordinal);
        Assert.Equal("Marker", NodeMessage.Parse(System.Text.Encoding.UTF8.GetBytes(only[2..]), HubJson.Options).Method);
    }

    [Fact]
    public async Task A_device_that_stops_taking_events_holds_up_no_other_device_and_is_closed_after_the_send_timeout()
    {
        var sendTimeout = TimeSpan.FromSeconds(2);
        var connectionsB = new LocalConnections();
        var stuckClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connectionsB.Add("stuck", User("mallory").Value, () => stuckClosed.TrySetResult());
        hubB.Stuck["stuck"] = true;
        var stuckLane = NodeChannelListener.LaneOf("stuck");
        var healthy = Enumerable.Range(0, 100).Select(i => $"healthy-{i}").First(id => NodeChannelListener.LaneOf(id) != stuckLane);
        var sameLane = Enumerable.Range(0, 1000).Select(i => $"same-lane-{i}").First(id => NodeChannelListener.LaneOf(id) == stuckLane);
        foreach (var device in new[] { "stuck", healthy, sameLane })
        {
            await presenceB.AddAsync(User("bob"), device);
        }

        using var listener = new NodeChannelListener(LocalMessengers.For(hubB, connectionsB, sendTimeout), redis.Connect(), redis.Keys, nodeB, NullLogger<NodeChannelListener>.Instance);
        await listener.StartAsync(CancellationToken.None);
        try
        {
            await WaitUntilSubscribedAsync((string)redis.Keys.NodeChannel(nodeB.Id)!);
            var started = System.Diagnostics.Stopwatch.StartNew();
            await messengerA.SendAsync("stuck", "CallStatusChanged", [1]);
            await messengerA.SendAsync(sameLane, "CallStatusChanged", [2]);
            for (var i = 0; i < 20; i++)
            {
                await messengerA.SendAsync(healthy, "IceCandidate", [i]);
            }

            // The other lane's device gets all its events while the stuck one's send is still pending.
            await Eventually.TrueAsync(() => hubB.Sent.Count(s => s.ConnectionId == healthy) == 20, TimeSpan.FromSeconds(15), "the healthy device's 20 events");
            Assert.False(stuckClosed.Task.IsCompleted, "the stuck device is not closed before its send timeout");

            // The stuck device is closed after the timeout, and its lane goes on.
            await stuckClosed.Task.WaitAsync(TimeSpan.FromSeconds(15));
            Assert.True(started.Elapsed >= sendTimeout - TimeSpan.FromMilliseconds(50), $"closed after {started.Elapsed}");
            await Eventually.TrueAsync(() => hubB.Sent.Any(s => s.ConnectionId == sameLane), TimeSpan.FromSeconds(15), "the same lane's next device after the timeout");
            Assert.Equal(Enumerable.Range(0, 20), hubB.Sent.Where(s => s.ConnectionId == healthy).Select(s => ((System.Text.Json.JsonElement)s.Arguments[0]!).GetInt32()));
            await listener.StopAsync(CancellationToken.None);
        }
        finally
        {
            listener.Dispose();
        }
    }

    public void Dispose() => redis.Dispose();

    private Task WaitUntilSubscribedAsync(string channel) =>
        Eventually.TrueAsync(
            async () => await server.ExecuteAsync("PUBSUB", "NUMSUB", channel) is List<object?> reply && reply[1] is long count && count > 0,
            TimeSpan.FromSeconds(15),
            $"node B subscribes to {channel}");
}
