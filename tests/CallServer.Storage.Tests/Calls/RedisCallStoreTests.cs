using System.Globalization;
using System.Text.Json.Nodes;
using CallServer.Adapters;
using CallServer.Adapters.Calls;
using CallServer.Adapters.Redis;
using CallServer.Adapters.Timers;
using CallServer.Application;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using CallServer.Storage.Tests.StoredFormat;
using Microsoft.Extensions.Options;

namespace CallServer.Storage.Tests.Calls;

public sealed class RedisCallStoreTests : CallStoreContract, IClassFixture<RedisServer>, IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromMilliseconds(300);

    private readonly RedisScope redis;

    public RedisCallStoreTests(RedisServer server)
    {
        redis = new RedisScope(server);
        var options = Options.Create(new CallsOptions { EndedCallRetention = Retention });
        Store = new RedisCallStore(redis.Connect(), redis.Keys, options);
        OtherNode = new RedisCallStore(redis.Connect(), redis.Keys, options);
        Timers = new RedisTimerQueue(redis.Connect(), redis.Keys, redis.Options);
        Server = server;
    }

    protected override ICallStore Store { get; }

    protected override ICallStore OtherNode { get; }

    protected override ITimerQueue Timers { get; }

    private RedisServer Server { get; }

    protected override async Task<int> IndexedCallCountAsync(Domain.Addresses.Address account) =>
        (int)(long)(await Server.ExecuteAsync("SCARD", (string)redis.Keys.ActiveCallsOf(account.Value)!))!;

    [Fact]
    public async Task A_stale_last_seen_version_loses_its_race_and_the_loser_then_starts_from_the_winner()
    {
        var now = Clock.GetUtcNow();
        var call = SampleCalls.Simple(SampleCalls.User("alice"), SampleCalls.User("bob"), now);
        Assert.True(await Store.TryCreateAsync(call));
        CallAssert.Same(call, await OtherNode.GetLastSeenAsync(call.CallId)); // read once, then remembered
        var winner = call with { Version = 2, Phase = CallPhase.Dialing };
        Assert.True(await Store.TrySaveAsync(winner, 1));

        // The other node still starts from version 1: its save loses, and hands it version 2 without a read.
        Assert.Equal(1, (await OtherNode.GetLastSeenAsync(call.CallId))!.Version);
        Assert.False(await OtherNode.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Ended, EndedAt = now }, 1));
        // Behind the store's back, the stored record changes: a read would see Ringing, the remembered winner is Dialing.
        await Server.ExecuteAsync("HSET", (string)redis.Keys.Call(call.CallId)!, "d", StoredCallFormat.Write(winner with { Phase = CallPhase.Ringing }));
        CallAssert.Same(winner, await OtherNode.GetLastSeenAsync(call.CallId));

        // GetAsync is always a read of the stored call.
        Assert.Equal(CallPhase.Ringing, (await OtherNode.GetAsync(call.CallId))!.Phase);
    }

    [Fact]
    public async Task An_ended_call_is_not_remembered()
    {
        var now = Clock.GetUtcNow();
        var call = SampleCalls.Simple(SampleCalls.User("alice"), SampleCalls.User("bob"), now);
        Assert.True(await Store.TryCreateAsync(call));
        Assert.True(await Store.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Ended, EndedAt = now }, 1));

        await Server.ExecuteAsync("DEL", (string)redis.Keys.Call(call.CallId)!);

        Assert.Null(await Store.GetLastSeenAsync(call.CallId));
    }

    [Fact]
    public async Task Calls_left_in_the_callers_index_by_an_older_node_do_not_count_against_its_limit()
    {
        var alice = SampleCalls.User("alice");
        var placed = (string)redis.Keys.CallsPlacedBy(alice.Value)!;
        var now = Clock.GetUtcNow();

        // An ended call that a node of the version before saved (no index update), and a call that is gone.
        var ended = SampleCalls.Simple(alice, SampleCalls.User("bob"), now);
        Assert.True(await Store.TryCreateAsync(ended));
        await Server.ExecuteAsync("HSET", (string)redis.Keys.Call(ended.CallId)!, "e", "1");
        await Server.ExecuteAsync("SADD", placed, "gone-call-id");
        Assert.Equal(2, await Store.CountCallsInProgressAsync(alice));

        var next = SampleCalls.Simple(alice, SampleCalls.User("carol"), now);
        Assert.True(await OtherNode.TryCreateAsync(next, maxCallsInProgress: 1));

        Assert.Equal(1, await Store.CountCallsInProgressAsync(alice));
        Assert.Equal(1L, await Server.ExecuteAsync("SISMEMBER", placed, next.CallId));
    }

    protected override Task LetRetentionPassAsync(string callId, Func<Task<bool>> gone) =>
        Eventually.TrueAsync(gone, TimeSpan.FromSeconds(10), $"ended call {callId} expires after {Retention}");

    [Fact]
    public async Task An_ongoing_call_has_no_expiry_and_an_ended_one_expires_within_the_retention()
    {
        var call = SampleCalls.Simple(SampleCalls.User("alice"), SampleCalls.User("bob"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);
        var key = (string)redis.Keys.Call(call.CallId)!;

        Assert.Equal(-1L, await Server.ExecuteAsync("PTTL", key));

        await Store.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Ended, EndedAt = Clock.GetUtcNow() }, 1);
        var ttl = (long)(await Server.ExecuteAsync("PTTL", key))!;
        Assert.InRange(ttl, 1, (long)Retention.TotalMilliseconds);
    }

    [Fact]
    public async Task A_call_is_stored_under_the_configured_key_prefix()
    {
        var call = SampleCalls.Simple(SampleCalls.User("alice"), SampleCalls.User("bob"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);

        var keys = (List<object?>)(await Server.ExecuteAsync("KEYS", redis.Options.Value.KeyPrefix + "*"))!;
        Assert.Equal(4, keys.Count); // the call, the two accounts' active calls, alice's placed calls
    }

    [Fact]
    public async Task A_call_a_node_of_the_previous_version_stored_is_read_decided_on_and_saved_in_the_current_schema()
    {
        var before = GoldenCalls.Calls["incall"];
        var key = (string)redis.Keys.Call(before.CallId)!;
        var alice = before.Caller.Account;

        // As a node of a version before left it (moved to this key layout): the same hash and indexes, a record without a schema.
        await Server.ExecuteAsync("HSET", key, "v", before.Version.ToString(CultureInfo.InvariantCulture), "d", GoldenFiles.Read("call", 0, "incall"));
        await Server.ExecuteAsync("SADD", (string)redis.Keys.ActiveCallsOf(alice.Value)!, before.CallId);
        await Server.ExecuteAsync("SADD", (string)redis.Keys.CallsPlacedBy(alice.Value)!, before.CallId);

        var read = await Store.GetAsync(before.CallId);
        CallAssert.Same(before, read);
        CallAssert.Same(before, Assert.Single(await OtherNode.GetActiveCallsOfAsync(alice)));
        Assert.Equal(1, await OtherNode.CountCallsInProgressAsync(alice));

        var decision = CallDecider.Decide(read!, new SetMuted(new Requester(alice, before.Caller.DeviceId), true), DeciderSettings.Default, Clock.GetUtcNow());
        Assert.False(decision.IsRefused);
        Assert.True(decision.Changed);
        Assert.True(await OtherNode.TrySaveAsync(decision.Call!, read!.Version));

        var stored = JsonNode.Parse((string)(await Server.ExecuteAsync("HGET", key, "d"))!)!;
        Assert.Equal(StoredCallFormat.CurrentSchema, (int)stored[StoredJson.SchemaField]!);
        Assert.Equal((before.Version + 1).ToString(CultureInfo.InvariantCulture), await Server.ExecuteAsync("HGET", key, "v"));
        var after = await Store.GetAsync(before.CallId);
        CallAssert.Same(decision.Call!, after);
        Assert.True(after!.Caller.Muted);
        Assert.False(before.Caller.Muted);
    }

    [Fact]
    public async Task A_call_of_a_newer_schema_is_refused_as_unavailable_and_left_as_it_is()
    {
        var call = GoldenCalls.Calls["ringing"];
        var key = (string)redis.Keys.Call(call.CallId)!;
        var index = (string)redis.Keys.ActiveCallsOf(call.Caller.Account.Value)!;
        var newer = JsonNode.Parse(GoldenFiles.Read("call", StoredCallFormat.CurrentSchema, "ringing"))!.AsObject();
        newer[StoredJson.SchemaField] = StoredCallFormat.CurrentSchema + 1;
        var record = newer.ToJsonString();
        await Server.ExecuteAsync("HSET", key, "v", call.Version.ToString(CultureInfo.InvariantCulture), "d", record);
        await Server.ExecuteAsync("SADD", index, call.CallId);

        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => Store.GetAsync(call.CallId));
        Assert.Contains($"schema {StoredCallFormat.CurrentSchema + 1}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("nothing changed", refused.Message, StringComparison.Ordinal);

        // Listing the account's calls refuses too, rather than leave the call out (or prune it from the index).
        await Assert.ThrowsAsync<StoreUnavailableException>(() => OtherNode.GetActiveCallsOfAsync(call.Caller.Account));
        Assert.Equal(1L, await Server.ExecuteAsync("SISMEMBER", index, call.CallId));
        Assert.Equal(record, await Server.ExecuteAsync("HGET", key, "d"));
    }

    public void Dispose() => redis.Dispose();
}
