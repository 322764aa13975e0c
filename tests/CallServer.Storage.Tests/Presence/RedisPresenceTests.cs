using CallServer.Adapters.Nodes;
using CallServer.Adapters.Presence;
using CallServer.Cluster;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Presence;

public sealed class RedisPresenceTests : PresenceContract, IClassFixture<RedisServer>, IDisposable
{
    private readonly RedisScope redis;
    private readonly RedisServer server;
    private readonly NodeIdentity nodeA = new();
    private readonly NodeIdentity nodeB = new();
    private readonly RedisPresence presenceA;
    private readonly RedisPresence presenceB;

    public RedisPresenceTests(RedisServer server)
    {
        this.server = server;
        redis = new RedisScope(server);
        presenceA = new RedisPresence(redis.Connect(), redis.Keys, nodeA);
        presenceB = new RedisPresence(redis.Connect(), redis.Keys, nodeB);
    }

    protected override IPresence Presence => presenceA;

    [Fact]
    public async Task Devices_of_a_node_count_only_while_its_alive_key_exists()
    {
        var alice = User("alice");
        await presenceA.AddAsync(alice, "on-a");
        await presenceB.AddAsync(alice, "on-b");

        // Neither node said it is alive: each counts only its own devices.
        Assert.Equal(["on-a"], await presenceA.GetDevicesAsync(alice));
        Assert.Equal(["on-b"], await presenceB.GetDevicesAsync(alice));

        await server.ExecuteAsync("SET", (string)redis.Keys.NodeAlive(nodeB.Id)!, "1", "PX", "60000");
        Assert.Equal(["on-a", "on-b"], (await presenceA.GetDevicesAsync(alice)).Order(StringComparer.Ordinal));

        await server.ExecuteAsync("DEL", (string)redis.Keys.NodeAlive(nodeB.Id)!);
        Assert.Equal(["on-a"], await presenceA.GetDevicesAsync(alice));

        // A's heartbeat key, as NodeHeartbeat writes it, with an expiry: once it lapses B stops counting A's device.
        await server.ExecuteAsync("SET", (string)redis.Keys.NodeAlive(nodeA.Id)!, "1", "PX", "150");
        Assert.Equal(["on-a", "on-b"], (await presenceB.GetDevicesAsync(alice)).Order(StringComparer.Ordinal));
        await Eventually.TrueAsync(
            async () => (await presenceB.GetDevicesAsync(alice)).SequenceEqual(["on-b"]),
            TimeSpan.FromSeconds(10),
            "node A's devices stop counting once its alive key expires");
    }

    [Fact]
    public async Task A_device_is_recorded_with_its_node_for_delivery_and_reaping()
    {
        var alice = User("alice");
        await presenceB.AddAsync(alice, "on-b");

        Assert.Equal(nodeB.Id, await server.ExecuteAsync("HGET", (string)redis.Keys.DeviceNodes!, "on-b"));
        Assert.Equal(
            [NodeDevice.Format("on-b", alice.Value)],
            (List<object?>)(await server.ExecuteAsync("SMEMBERS", (string)redis.Keys.NodeDevices(nodeB.Id)!))!);

        await presenceB.RemoveAsync(alice, "on-b");

        Assert.Null(await server.ExecuteAsync("HGET", (string)redis.Keys.DeviceNodes!, "on-b"));
        Assert.Empty((List<object?>)(await server.ExecuteAsync("SMEMBERS", (string)redis.Keys.NodeDevices(nodeB.Id)!))!);
    }

    [Fact]
    public async Task Reaping_removes_a_device_of_another_node()
    {
        var alice = User("alice");
        await presenceB.AddAsync(alice, "on-b");
        await server.ExecuteAsync("SET", (string)redis.Keys.NodeAlive(nodeB.Id)!, "1");

        await presenceA.RemoveAsync(alice.Value, "on-b", nodeB.Id);

        Assert.Empty(await presenceA.GetDevicesAsync(alice));
        Assert.Empty(await presenceB.GetDevicesAsync(alice));
    }

    public void Dispose() => redis.Dispose();
}
