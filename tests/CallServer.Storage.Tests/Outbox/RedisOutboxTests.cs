using CallServer.Adapters.Calls;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Redis;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Outbox;

public sealed class RedisOutboxTests : OutboxContract, IClassFixture<RedisServer>, IDisposable
{
    protected override TimeSpan ClaimAfter { get; } = TimeSpan.FromMilliseconds(300);

    private readonly RedisScope redis;
    private readonly RedisServer server;

    public RedisOutboxTests(RedisServer server)
    {
        this.server = server;
        redis = new RedisScope(server);
        Store = new RedisCallStore(redis.Connect(), redis.Keys, Options.Create(new CallsOptions()));
        Outbox = new RedisOutbox(redis.Connect(), redis.Keys);
        OtherNode = new RedisOutbox(redis.Connect(), redis.Keys);
    }

    protected override ICallStore Store { get; }

    protected override IOutbox Outbox { get; }

    protected override IOutbox OtherNode { get; }

    // Redis measures the idle time itself: wait past it on the real clock.
    protected override Task LetClaimPeriodPassAsync() => Task.Delay(ClaimAfter + TimeSpan.FromMilliseconds(100));

    [Fact]
    public async Task Acknowledged_entries_leave_the_stream_so_it_holds_only_work_not_done()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        Assert.True(await Store.TryCreateAsync(call));
        Assert.True(await Store.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Dialing }, 1, [], [new OutboxMessage(Topic, call.CallId, "a"), new OutboxMessage(Topic, call.CallId, "b")]));
        foreach (var entry in await Outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter))
        {
            await Outbox.AcknowledgeAsync(Topic, entry.Id);
        }

        Assert.Equal(0L, (long)(await server.ExecuteAsync("XLEN", (string)redis.Keys.Outbox(Topic, RedisShards.Of(call.CallId))!))!);
    }

    [Fact]
    public async Task After_Redis_loses_its_data_the_group_is_made_again_and_new_entries_are_taken()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        Assert.True(await Store.TryCreateAsync(call));
        Assert.Empty(await Outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter)); // the group exists now
        await server.ExecuteAsync("DEL", (string)redis.Keys.Outbox(Topic, RedisShards.Of(call.CallId))!);

        Assert.True(await Store.TrySaveAsync(call with { Version = 2 }, 1, [], [new OutboxMessage(Topic, call.CallId, "after")]));
        Assert.Equal(["after"], (await Outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter)).Select(e => e.Message.Payload));
    }

    [Fact]
    public async Task A_take_after_its_own_save_reads_the_streams_it_appended_to_and_a_poll_finds_the_other_nodes_entries()
    {
        var appends = new OutboxAppends();
        var store = new RedisCallStore(redis.Connect(), redis.Keys, Options.Create(new CallsOptions()), appends: appends);
        var outbox = new RedisOutbox(redis.Connect(), redis.Keys, appends);
        var mine = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        var otherCaller = Enumerable.Range(0, 100).Select(i => User("carol" + i)).First(u => RedisShards.Of(u.Value) != RedisShards.Of(mine.CallId));
        var theirs = Simple(otherCaller, User("bob"), Clock.GetUtcNow());
        Assert.True(await store.TryCreateAsync(mine, outbox: [new OutboxMessage(Topic, mine.CallId, "mine")]));
        Assert.True(await Store.TryCreateAsync(theirs, outbox: [new OutboxMessage(Topic, theirs.CallId, "theirs")])); // another node

        Assert.Equal(["mine"], (await outbox.TakeOwnAsync(Topic, "node-a", 10, ClaimAfter)).Select(e => e.Message.Payload));
        Assert.Equal(["theirs"], (await outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter)).Select(e => e.Message.Payload));
        Assert.True(await Store.TrySaveAsync(theirs with { Version = 2 }, 1, [], [new OutboxMessage(Topic, theirs.CallId, "theirs again")]));
        Assert.Empty(await outbox.TakeOwnAsync(Topic, "node-a", 10, ClaimAfter)); // nothing of this node's left: nothing read
        Assert.Equal(["theirs again"], (await outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter)).Select(e => e.Message.Payload));
    }

    [Fact]
    public async Task A_take_after_its_own_save_that_comes_back_full_reads_that_stream_again_and_stops_when_it_is_drained()
    {
        var appends = new OutboxAppends();
        var store = new RedisCallStore(redis.Connect(), redis.Keys, Options.Create(new CallsOptions()), appends: appends);
        var outbox = new RedisOutbox(redis.Connect(), redis.Keys, appends);
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        Assert.True(await store.TryCreateAsync(call, outbox: [new OutboxMessage(Topic, call.CallId, "1"), new OutboxMessage(Topic, call.CallId, "2"), new OutboxMessage(Topic, call.CallId, "3")]));

        Assert.Equal(["1", "2"], (await outbox.TakeOwnAsync(Topic, "node-a", 2, ClaimAfter)).Select(e => e.Message.Payload));
        Assert.Equal(["3"], (await outbox.TakeOwnAsync(Topic, "node-a", 2, ClaimAfter)).Select(e => e.Message.Payload));
        Assert.Empty(await outbox.TakeOwnAsync(Topic, "node-a", 2, ClaimAfter));
    }

    public void Dispose() => redis.Dispose();
}
