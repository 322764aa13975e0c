using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Outbox;

/// <summary>What every <see cref="IOutbox"/> (with the call store that appends to it) must do; one subclass per implementation.</summary>
public abstract class OutboxContract
{
    protected const string Topic = "push";

    protected ManualClock Clock { get; } = new();

    /// <summary>The claim period the tests take entries with.</summary>
    protected abstract TimeSpan ClaimAfter { get; }

    protected abstract ICallStore Store { get; }

    protected abstract IOutbox Outbox { get; }

    /// <summary>The same outbox as another node sees it.</summary>
    protected abstract IOutbox OtherNode { get; }

    /// <summary>Lets the claim period of taken, unacknowledged entries pass.</summary>
    protected abstract Task LetClaimPeriodPassAsync();

    private async Task<Call> SavedCallAsync()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        Assert.True(await Store.TryCreateAsync(call));
        return call;
    }

    private static OutboxMessage Message(Call call, string payload) => new(Topic, call.CallId, payload);

    [Fact]
    public async Task A_save_appends_its_messages_in_order_and_a_lost_race_appends_nothing()
    {
        var call = await SavedCallAsync();
        var next = call with { Version = 2, Phase = CallPhase.Dialing };
        Assert.True(await Store.TrySaveAsync(next, 1, [], [Message(call, "first"), Message(call, "second")]));
        Assert.False(await Store.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Ended }, 1, [], [Message(call, "lost")]));

        var taken = await Outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter);
        Assert.Equal(["first", "second"], taken.Select(e => e.Message.Payload));
        Assert.All(taken, e => Assert.Equal(call.CallId, e.Message.CallId));
        Assert.All(taken, e => Assert.Equal(1, e.Deliveries));
        Assert.Equal(2, await Outbox.BacklogAsync(Topic));
    }

    [Fact]
    public async Task An_entry_is_taken_by_one_worker_and_acknowledged_entries_never_come_back()
    {
        var call = await SavedCallAsync();
        Assert.True(await Store.TrySaveAsync(call with { Version = 2 }, 1, [], [Message(call, "only")]));

        var first = Assert.Single(await Outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter));
        Assert.Empty(await OtherNode.TakeAsync(Topic, "node-b", 10, ClaimAfter));
        await Outbox.AcknowledgeAsync(Topic, first.Id);
        Assert.Equal(0, await Outbox.BacklogAsync(Topic));

        await LetClaimPeriodPassAsync();
        Assert.Empty(await OtherNode.TakeAsync(Topic, "node-b", 10, ClaimAfter));
    }

    [Fact]
    public async Task A_forwarded_entry_is_done_and_its_messages_are_taken_from_their_topics_in_order_by_any_node()
    {
        var call = await SavedCallAsync();
        Assert.True(await Store.TrySaveAsync(call with { Version = 2 }, 1, [], [Message(call, "event")]));
        var entry = Assert.Single(await Outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter));

        await Outbox.ForwardAsync(Topic, entry.Id, [new("push.a", call.CallId, "copy-a1"), new("push.b", call.CallId, "copy-b"), new("push.a", call.CallId, "copy-a2")]);

        Assert.Equal(0, await Outbox.BacklogAsync(Topic));
        Assert.Equal(2, await OtherNode.BacklogAsync("push.a"));
        var a = await OtherNode.TakeAsync("push.a", "node-b", 10, ClaimAfter);
        Assert.Equal(["copy-a1", "copy-a2"], a.Select(e => e.Message.Payload));
        Assert.All(a, e => Assert.Equal(call.CallId, e.Message.CallId));
        Assert.Equal(["copy-b"], (await OtherNode.TakeAsync("push.b", "node-b", 10, ClaimAfter)).Select(e => e.Message.Payload));

        await LetClaimPeriodPassAsync();
        Assert.Empty(await OtherNode.TakeAsync(Topic, "node-b", 10, ClaimAfter)); // the forwarded entry never comes back
    }

    [Fact]
    public async Task An_entry_its_worker_never_acknowledged_is_handed_to_another_worker_after_the_claim_period()
    {
        var call = await SavedCallAsync();
        Assert.True(await Store.TrySaveAsync(call with { Version = 2 }, 1, [], [Message(call, "orphan")]));
        var taken = Assert.Single(await Outbox.TakeAsync(Topic, "node-that-dies", 10, ClaimAfter));

        await LetClaimPeriodPassAsync();
        var again = Assert.Single(await OtherNode.TakeAsync(Topic, "node-b", 10, ClaimAfter));
        Assert.Equal(taken.Id, again.Id);
        Assert.Equal("orphan", again.Message.Payload);
        Assert.True(again.Deliveries >= 2, $"deliveries {again.Deliveries}");

        await OtherNode.AcknowledgeAsync(Topic, again.Id);
        Assert.Equal(0, await Outbox.BacklogAsync(Topic));
    }

    [Fact]
    public async Task Entries_taken_again_come_back_in_the_order_they_were_appended()
    {
        var call = await SavedCallAsync();
        Assert.True(await Store.TrySaveAsync(call with { Version = 2 }, 1, [], [.. Enumerable.Range(1, 6).Select(n => Message(call, $"m{n}"))]));
        var taken = await Outbox.TakeAsync(Topic, "node-that-dies", 10, ClaimAfter);
        await Outbox.AcknowledgeAsync(Topic, taken[1].Id); // done with m2 and m4: the others are left
        await Outbox.AcknowledgeAsync(Topic, taken[3].Id);
        Assert.True(await Store.TrySaveAsync(call with { Version = 3 }, 2, [], [Message(call, "m7"), Message(call, "m8")]));
        Assert.Equal(2, (await Outbox.TakeAsync(Topic, "node-that-dies", 10, ClaimAfter)).Count);

        await LetClaimPeriodPassAsync();
        var again = await OtherNode.TakeAsync(Topic, "node-b", 10, ClaimAfter);

        Assert.Equal(["m1", "m3", "m5", "m6", "m7", "m8"], again.Select(e => e.Message.Payload));
    }

    [Fact]
    public async Task A_worker_that_keeps_an_entry_keeps_it_past_the_claim_period()
    {
        var call = await SavedCallAsync();
        Assert.True(await Store.TrySaveAsync(call with { Version = 2 }, 1, [], [Message(call, "slow")]));
        var taken = Assert.Single(await Outbox.TakeAsync(Topic, "node-a", 10, ClaimAfter));

        await LetClaimPeriodPassAsync();
        await Outbox.KeepAsync(Topic, "node-a", taken.Id);
        Assert.Empty(await OtherNode.TakeAsync(Topic, "node-b", 10, ClaimAfter));
    }

    [Fact]
    public async Task Topics_are_separate_and_take_gives_at_most_what_is_asked()
    {
        var call = await SavedCallAsync();
        Assert.True(await Store.TrySaveAsync(
            call with { Version = 2 },
            1,
            [],
            [Message(call, "p1"), new OutboxMessage("webhooks", call.CallId, "w1"), Message(call, "p2"), Message(call, "p3")]));

        Assert.Equal(["p1", "p2"], (await Outbox.TakeAsync(Topic, "node-a", 2, ClaimAfter)).Select(e => e.Message.Payload));
        Assert.Equal(["p3"], (await OtherNode.TakeAsync(Topic, "node-b", 10, ClaimAfter)).Select(e => e.Message.Payload));
        Assert.Equal(["w1"], (await Outbox.TakeAsync("webhooks", "node-a", 10, ClaimAfter)).Select(e => e.Message.Payload));
    }
}
