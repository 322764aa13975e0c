using System.Text.Json;
using CallServer.Adapters.CallHistory;
using CallServer.Adapters.Calls;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Redis;
using CallServer.Adapters.Timers;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Records;
using CallServer.Domain.Views;
using CallServer.History;
using CallServer.Ports;
using CallServer.Storage.Tests.Infrastructure;
using CallServer.Storage.Tests.StoredFormat;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Layout;

/// <summary>
/// Key layout 1 → 2 (issue 19): what a node of layout 1 left (<c>Golden/redis-layout-v1.json</c>) is moved once, by
/// one node, and read by the stores of this version as if they had written it.
/// </summary>
public sealed class RedisLayoutMigrationTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    private readonly RedisScope redis = new(server);

    private RedisLayout Layout() => new(redis.Connect(), redis.Keys, new NodeIdentity(), NullLogger<RedisLayout>.Instance);

    [Fact]
    public async Task What_layout_1_left_is_moved_once_and_read_by_this_version_as_its_own()
    {
        await LoadLayout1Async();
        var alice = User("alice");
        var bob = User("bob");
        var history = new RedisCallHistoryStore(redis.Connect(), redis.Keys);
        var entry = new CallHistoryEntry(
            "golden-ended", CallDirection.Outgoing, bob, null, Missed: false, EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser,
            DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow.AddMinutes(-1.5), DateTimeOffset.UtcNow.AddMinutes(-1), TimeSpan.FromSeconds(30), Video: false);
        await history.AddAsync(alice, entry, new CallHistoryBounds(100, DateTimeOffset.UtcNow.AddDays(-1)));
        await server.ExecuteAsync("RENAME", (string)redis.Keys.CallHistoryIndex(alice.Value)!, redis.Keys.Prefix + "history:" + alice.Value + ":index");
        await server.ExecuteAsync("RENAME", (string)redis.Keys.CallHistoryEntries(alice.Value)!, redis.Keys.Prefix + "history:" + alice.Value + ":entries");

        var layout = Layout();
        Assert.True(await layout.EnsureAsync());
        Assert.True(layout.IsCurrent);
        Assert.Equal("2", await server.ExecuteAsync("GET", (string)redis.Keys.Layout!));

        // Nothing of layout 1 is left: every key but the layout's own carries a shard's hash tag.
        var left = ((List<object?>)(await server.ExecuteAsync("KEYS", redis.Keys.Prefix + "*"))!).Cast<string>().ToList();
        Assert.All(left.Where(key => key != (string)redis.Keys.Layout!), key => Assert.StartsWith(redis.Keys.Prefix + "{cs", key));

        var calls = new RedisCallStore(redis.Connect(), redis.Keys, Options.Create(new CallsOptions()));
        CallAssert.Same(GoldenCalls.Calls["incall"], await calls.GetAsync("golden-incall"));
        Assert.Equal(["golden-incall"], (await calls.GetActiveCallsOfAsync(alice)).Select(c => c.CallId));
        Assert.Equal(["golden-incall"], (await calls.GetActiveCallsOfAsync(bob)).Select(c => c.CallId));
        Assert.Equal(1, await calls.CountCallsInProgressAsync(alice));

        var timers = new RedisTimerQueue(redis.Connect(), redis.Keys, redis.Options);
        var due = await timers.ClaimDueAsync(DateTimeOffset.UtcNow, 10);
        Assert.Equal(["golden-ended|Ring|r1", "golden-incall|Operation|op-hold-2"], due.Select(t => t.Key).Order());

        var outbox = new RedisOutbox(redis.Connect(), redis.Keys);
        var taken = Assert.Single(await outbox.TakeAsync("history", "node-a", 10, TimeSpan.FromMinutes(1)));
        Assert.Equal("golden-ended", taken.Message.CallId);
        Assert.Equal(GoldenFiles.Read("outbox-history", 0, "ended"), taken.Message.Payload);

        var listed = Assert.Single(await history.ListAsync(alice, new CallHistoryPage(10, null), DateTimeOffset.UnixEpoch));
        Assert.Equal((entry.CallId, entry.RemoteAddress, entry.InCallDuration), (listed.CallId, listed.RemoteAddress, listed.InCallDuration));

        // Done once: a node that starts later finds layout 2 and moves nothing.
        Assert.True(await Layout().EnsureAsync());
    }

    [Fact]
    public async Task A_move_that_stopped_half_way_is_finished_by_the_next_attempt_and_the_old_key_wins()
    {
        await LoadLayout1Async();
        // As a node that died between restoring the call under its new key and deleting the old one left it, the new
        // key holding an older copy; and its lock, which this node must not take while it is held.
        var newKey = (string)redis.Keys.Call("golden-incall")!;
        await server.ExecuteAsync("HSET", newKey, "v", "1", "d", "an older copy");
        await server.ExecuteAsync("SET", (string)redis.Keys.LayoutMigrationLock!, "dead-node");
        Assert.False(await Layout().EnsureAsync());
        Assert.Equal("dead-node", await server.ExecuteAsync("GET", (string)redis.Keys.LayoutMigrationLock!)); // not this node's to delete
        await server.ExecuteAsync("DEL", (string)redis.Keys.LayoutMigrationLock!); // its lease ran out

        var layout = Layout();
        Assert.True(await layout.EnsureAsync());

        var calls = new RedisCallStore(redis.Connect(), redis.Keys, Options.Create(new CallsOptions()));
        CallAssert.Same(GoldenCalls.Calls["incall"], await calls.GetAsync("golden-incall"));
        Assert.Equal(0L, await server.ExecuteAsync("EXISTS", redis.Keys.Prefix + "call:golden-incall"));
        Assert.Null(await server.ExecuteAsync("GET", (string)redis.Keys.LayoutMigrationLock!)); // released by its holder
        var outbox = new RedisOutbox(redis.Connect(), redis.Keys);
        Assert.Single(await outbox.TakeAsync("history", "node-a", 10, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_node_waits_while_another_moves_the_data_and_refuses_a_newer_layout()
    {
        await server.ExecuteAsync("SET", (string)redis.Keys.LayoutMigrationLock!, "other-node");
        var waiting = Layout();
        Assert.False(await waiting.EnsureAsync());
        Assert.False(waiting.IsCurrent);
        await server.ExecuteAsync("DEL", (string)redis.Keys.LayoutMigrationLock!);
        Assert.True(await waiting.EnsureAsync());

        await server.ExecuteAsync("SET", (string)redis.Keys.Layout!, "3");
        var older = Layout();
        await Assert.ThrowsAsync<InvalidOperationException>(older.EnsureAsync);
        Assert.False(older.IsCurrent);
    }

    private async Task LoadLayout1Async()
    {
        using var golden = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Golden", "redis-layout-v1.json")));
        foreach (var command in golden.RootElement.GetProperty("commands").EnumerateArray())
        {
            var arguments = command.EnumerateArray().Select(argument => argument.GetString()!).Select(Resolve).ToArray();
            await server.ExecuteAsync(arguments);
        }
    }

    private string Resolve(string argument)
    {
        if (argument.StartsWith('@'))
        {
            var name = argument[1..];
            var dash = name.IndexOf("-v", StringComparison.Ordinal);
            var kind = name[..dash];
            var rest = name[(dash + 2)..];
            var schemaEnd = rest.IndexOf('-', StringComparison.Ordinal);
            return GoldenFiles.Read(kind, int.Parse(rest[..schemaEnd], System.Globalization.CultureInfo.InvariantCulture), rest[(schemaEnd + 1)..]);
        }

        return argument.Replace("{p}", redis.Keys.Prefix, StringComparison.Ordinal);
    }

    public void Dispose() => redis.Dispose();
}
