using System.Collections.Concurrent;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Calls;

/// <summary>What every <see cref="ICallStore"/> must do; one subclass per implementation.</summary>
public abstract class CallStoreContract
{
    protected ManualClock Clock { get; } = new();

    protected abstract ICallStore Store { get; }

    /// <summary>A second view of the same stored calls (another node, for Redis; the same object in memory).</summary>
    protected abstract ICallStore OtherNode { get; }

    /// <summary>The timer queue that the store schedules a save's timers on.</summary>
    protected abstract ITimerQueue Timers { get; }

    /// <summary>Lets the retention period of an ended call pass; returns once <paramref name="gone"/> holds.</summary>
    protected abstract Task LetRetentionPassAsync(string callId, Func<Task<bool>> gone);

    [Fact]
    public async Task Getting_a_missing_call_gives_null()
    {
        Assert.Null(await Store.GetAsync(NewId()));
    }

    [Fact]
    public async Task A_created_call_round_trips_every_field()
    {
        var call = Full(Clock.GetUtcNow());

        Assert.True(await Store.TryCreateAsync(call));

        CallAssert.Same(call, await Store.GetAsync(call.CallId));
        CallAssert.Same(call, await OtherNode.GetAsync(call.CallId));
    }

    [Fact]
    public async Task A_minimal_call_round_trips_with_its_nulls_and_empty_lists()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());

        Assert.True(await Store.TryCreateAsync(call));

        var stored = await OtherNode.GetAsync(call.CallId);
        CallAssert.Same(call, stored);
        Assert.Null(stored!.PendingOperation);
        Assert.Null(stored.OfferKind);
        Assert.Empty(stored.Devices);
    }

    [Fact]
    public async Task Creating_the_same_call_twice_fails_and_keeps_the_first()
    {
        var first = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        var second = first with { Caller = first.Caller with { DisplayName = "Impostor" }, RingGeneration = 9 };

        Assert.True(await Store.TryCreateAsync(first));
        Assert.False(await OtherNode.TryCreateAsync(second));

        CallAssert.Same(first, await Store.GetAsync(first.CallId));
    }

    [Fact]
    public async Task A_save_from_the_stored_version_succeeds()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);
        var ringing = call with { Version = 2, Phase = CallPhase.Ringing, Devices = [new CalleeDevice("d1", User("bob"))] };

        Assert.True(await Store.TrySaveAsync(ringing, expectedVersion: 1));

        CallAssert.Same(ringing, await OtherNode.GetAsync(call.CallId));
    }

    [Fact]
    public async Task A_save_from_a_stale_version_fails_and_changes_nothing()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);
        var v2 = call with { Version = 2, Phase = CallPhase.Dialing };
        Assert.True(await Store.TrySaveAsync(v2, expectedVersion: 1));
        var stale = call with { Version = 2, Phase = CallPhase.Ended, EndedAt = Clock.GetUtcNow() };

        Assert.False(await OtherNode.TrySaveAsync(stale, expectedVersion: 1));
        Assert.False(await OtherNode.TrySaveAsync(stale with { Version = 4 }, expectedVersion: 3));

        CallAssert.Same(v2, await Store.GetAsync(call.CallId));
    }

    [Fact]
    public async Task Saving_a_call_that_was_never_created_fails()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow()) with { Version = 2 };

        Assert.False(await Store.TrySaveAsync(call, expectedVersion: 1));

        Assert.Null(await Store.GetAsync(call.CallId));
    }

    [Fact]
    public async Task Of_two_concurrent_saves_from_the_same_version_exactly_one_wins()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        Assert.True(await Store.TryCreateAsync(call));
        var current = call;
        for (var round = 0; round < 50; round++)
        {
            var expected = current.Version;
            var left = current with { Version = expected + 1, RingGeneration = round * 2 };
            var right = current with { Version = expected + 1, RingGeneration = (round * 2) + 1 };
            using var start = new ManualResetEventSlim();
            var saves = new[]
            {
                Task.Run(async () => { start.Wait(); return await Store.TrySaveAsync(left, expected); }),
                Task.Run(async () => { start.Wait(); return await OtherNode.TrySaveAsync(right, expected); }),
            };
            start.Set();
            var won = await Task.WhenAll(saves);

            Assert.Equal(1, won.Count(w => w));
            var winner = won[0] ? left : right;
            var stored = await Store.GetAsync(call.CallId);
            CallAssert.Same(winner, stored);
            current = stored!;
        }
    }

    [Fact]
    public async Task Many_concurrent_saves_from_the_same_version_let_exactly_one_win()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        Assert.True(await Store.TryCreateAsync(call));
        var winners = new ConcurrentBag<int>();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            var store = i % 2 == 0 ? Store : OtherNode;
            if (await store.TrySaveAsync(call with { Version = 2, RingGeneration = i }, expectedVersion: 1))
            {
                winners.Add(i);
            }
        })));

        var winner = Assert.Single(winners);
        Assert.Equal(winner, (await Store.GetAsync(call.CallId))!.RingGeneration);
    }

    [Fact]
    public async Task The_calls_of_an_account_are_found_by_caller_callee_and_device_accounts()
    {
        var now = Clock.GetUtcNow();
        var full = Full(now);
        var other = Simple(User("dave"), User("erin"), now);
        var aliceToBob = Simple(User("alice"), User("bob"), now);
        Assert.True(await Store.TryCreateAsync(full));
        Assert.True(await Store.TryCreateAsync(other));
        Assert.True(await Store.TryCreateAsync(aliceToBob));

        Assert.Equal([full.CallId], await IdsOf(Anonymous("7f3a")));          // caller account
        Assert.Equal([full.CallId], await IdsOf(User("pstn-gateway")));       // callee account
        Assert.Equal([full.CallId], await IdsOf(User("carol")));              // only a device account
        Assert.Equal(Sorted(full.CallId, aliceToBob.CallId), await IdsOf(User("bob"))); // device of one, callee of the other
        Assert.Equal([other.CallId], await IdsOf(User("dave")));
        Assert.Equal([other.CallId], await IdsOf(User("erin")));
        Assert.Empty(await IdsOf(User("frank")));
        Assert.Empty(await IdsOf(Telephone("+15551234567")));                 // the dialed number is no account

        CallAssert.Same(full, Assert.Single(await OtherNode.GetActiveCallsOfAsync(User("carol"))));

        // Without a call the asker has at hand: the others, all the same.
        Assert.Equal([aliceToBob.CallId], (await Store.GetActiveCallsOfAsync(User("bob"), except: full.CallId)).Select(c => c.CallId));
        Assert.Equal([full.CallId], (await OtherNode.GetActiveCallsOfAsync(User("bob"), except: aliceToBob.CallId)).Select(c => c.CallId));
        Assert.Empty(await Store.GetActiveCallsOfAsync(User("dave"), except: other.CallId));
        Assert.Equal([other.CallId], (await Store.GetActiveCallsOfAsync(User("dave"), except: "no-such-call")).Select(c => c.CallId));
    }

    [Fact]
    public async Task A_device_added_by_a_save_makes_the_call_one_of_its_accounts()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);
        Assert.Empty(await IdsOf(User("bob-forwarded")));

        Assert.True(await Store.TrySaveAsync(call with { Version = 2, Devices = [new CalleeDevice("d9", User("bob-forwarded"))] }, 1));

        Assert.Equal([call.CallId], await IdsOf(User("bob-forwarded")));
    }

    [Fact]
    public async Task An_ended_call_leaves_the_active_calls_at_once_and_stays_readable_by_id_for_the_retention_period()
    {
        var alice = User("alice");
        var call = Simple(alice, User("bob"), Clock.GetUtcNow());
        var keep = Simple(alice, User("carol"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);
        await Store.TryCreateAsync(keep);
        var ended = call with
        {
            Version = 2,
            Phase = CallPhase.Ended,
            EndedAt = Clock.GetUtcNow(),
            Caller = call.Caller with { End = new CallEnd(EndReason.EndedLocally, 200) },
        };

        Assert.True(await Store.TrySaveAsync(ended, 1));
        CallAssert.Same(ended, await Store.GetAsync(call.CallId));
        CallAssert.Same(ended, await OtherNode.GetAsync(call.CallId));
        Assert.Equal([keep.CallId], await IdsOf(alice));
        Assert.Empty(await IdsOf(User("bob")));
        Assert.Equal(1, await OtherNode.CountCallsInProgressAsync(alice));

        await LetRetentionPassAsync(call.CallId, async () => await Store.GetAsync(call.CallId) is null);

        Assert.Null(await OtherNode.GetAsync(call.CallId));
        Assert.Equal([keep.CallId], await IdsOf(alice));
        Assert.Equal([keep.CallId], await IdsOf(alice)); // and again, once the index was pruned
        Assert.Empty(await IdsOf(User("bob")));
        CallAssert.Same(keep, await Store.GetAsync(keep.CallId));
    }

    [Fact]
    public async Task A_call_dropped_after_its_retention_cannot_be_saved_back()
    {
        var call = Simple(User("alice"), User("bob"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);
        var ended = call with { Version = 2, Phase = CallPhase.Ended, EndedAt = Clock.GetUtcNow() };
        Assert.True(await Store.TrySaveAsync(ended, 1));

        await LetRetentionPassAsync(call.CallId, async () => await Store.GetAsync(call.CallId) is null);

        // A command decided from the ended version just before it was dropped must not bring it back.
        Assert.False(await OtherNode.TrySaveAsync(ended with { Version = 3 }, 2));
        Assert.Null(await Store.GetAsync(call.CallId));
        Assert.Empty(await Store.GetActiveCallsOfAsync(User("alice")));
    }

    [Fact]
    public async Task Calls_in_progress_count_the_calls_a_caller_placed_until_they_end()
    {
        var alice = User("alice");
        var now = Clock.GetUtcNow();
        var first = Simple(alice, User("bob"), now);
        var second = Simple(alice, User("carol"), now);
        var received = Simple(User("dave"), alice, now);
        Assert.Equal(0, await Store.CountCallsInProgressAsync(alice));

        Assert.True(await Store.TryCreateAsync(first));
        Assert.True(await Store.TryCreateAsync(second));
        Assert.True(await Store.TryCreateAsync(received));
        Assert.Equal(2, await OtherNode.CountCallsInProgressAsync(alice));
        Assert.Equal(1, await OtherNode.CountCallsInProgressAsync(User("dave")));
        Assert.Equal(0, await OtherNode.CountCallsInProgressAsync(User("bob")));

        Assert.True(await Store.TrySaveAsync(first with { Version = 2, Phase = CallPhase.Dialing }, 1));
        Assert.Equal(2, await OtherNode.CountCallsInProgressAsync(alice));
        Assert.True(await Store.TrySaveAsync(first with { Version = 3, Phase = CallPhase.Ended, EndedAt = now }, 2));
        Assert.Equal(1, await OtherNode.CountCallsInProgressAsync(alice));
        Assert.Equal(Sorted(second.CallId, received.CallId), await IdsOf(alice));
    }

    [Fact]
    public async Task A_create_past_the_callers_limit_is_refused_and_stores_nothing()
    {
        var alice = User("alice");
        var now = Clock.GetUtcNow();
        var first = Simple(alice, User("bob"), now);
        var second = Simple(alice, User("carol"), now);
        Assert.True(await Store.TryCreateAsync(first, maxCallsInProgress: 1));

        Assert.False(await OtherNode.TryCreateAsync(second, maxCallsInProgress: 1));
        Assert.Null(await Store.GetAsync(second.CallId));
        Assert.Equal([first.CallId], await IdsOf(alice));

        // Once the first call ended there is room again; another caller was never limited by alice's calls.
        Assert.True(await Store.TrySaveAsync(first with { Version = 2, Phase = CallPhase.Ended, EndedAt = now }, 1));
        Assert.True(await OtherNode.TryCreateAsync(second, maxCallsInProgress: 1));
        Assert.True(await Store.TryCreateAsync(Simple(User("bob"), alice, now), maxCallsInProgress: 1));
    }

    [Fact]
    public async Task Concurrent_creates_of_one_caller_never_pass_its_limit()
    {
        const int limit = 10;
        var alice = User("alice");
        var now = Clock.GetUtcNow();
        var attempts = Enumerable.Range(0, 60)
            .Select(i => Simple(alice, User($"callee-{i}"), now))
            .Select(async (call, i) =>
            {
                await Task.Yield();
                return await (i % 2 == 0 ? Store : OtherNode).TryCreateAsync(call, limit);
            });

        var created = (await Task.WhenAll(attempts)).Count(ok => ok);

        Assert.Equal(limit, created);
        Assert.Equal(limit, await Store.CountCallsInProgressAsync(alice));
        Assert.Equal(limit, (await IdsOf(alice)).Length);
    }

    [Fact]
    public async Task What_is_read_of_an_account_does_not_grow_with_its_ended_calls()
    {
        var alice = User("alice");
        var now = Clock.GetUtcNow();
        for (var i = 0; i < 300; i++)
        {
            var call = Simple(alice, User("bob"), now);
            Assert.True(await Store.TryCreateAsync(call, 10));
            Assert.True(await Store.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Ended, EndedAt = now }, 1));
        }

        var ongoing = Simple(alice, User("bob"), now);
        Assert.True(await Store.TryCreateAsync(ongoing, 10));

        Assert.Equal([ongoing.CallId], await IdsOf(alice));
        Assert.Equal([ongoing.CallId], await IdsOf(User("bob")));
        Assert.Equal(1, await OtherNode.CountCallsInProgressAsync(alice));
        Assert.Equal(1, await IndexedCallCountAsync(alice));
    }

    [Fact]
    public async Task The_timers_of_a_create_and_of_a_save_are_scheduled_with_them()
    {
        var now = Clock.GetUtcNow();
        var call = Simple(User("alice"), User("bob"), now);
        var created = new TimerRequest(CallTimerKind.Ring, "created", now.AddSeconds(30));
        var saved = new TimerRequest(CallTimerKind.Operation, "saved", now.AddSeconds(40));

        Assert.True(await Store.TryCreateAsync(call, timers: [created]));
        Assert.True(await OtherNode.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Dialing }, 1, [saved]));

        Assert.Empty(await Timers.ClaimDueAsync(now.AddSeconds(29), 10));
        Assert.Equal([new DueTimer(call.CallId, created), new DueTimer(call.CallId, saved)], await Timers.ClaimDueAsync(now.AddSeconds(41), 10));
    }

    [Fact]
    public async Task A_call_that_ends_takes_its_pending_timers_with_it_and_leaves_other_calls_timers_alone()
    {
        var now = Clock.GetUtcNow();
        var call = Simple(User("alice"), User("bob"), now);
        var other = Simple(User("carol"), User("dave"), now);
        var ring = new TimerRequest(CallTimerKind.Ring, "ring", now.AddSeconds(30));
        var operation = new TimerRequest(CallTimerKind.Operation, "operation", now.AddSeconds(20));
        var othersRing = new TimerRequest(CallTimerKind.Ring, "ring", now.AddSeconds(30));
        Assert.True(await Store.TryCreateAsync(call, timers: [ring]));
        Assert.True(await Store.TryCreateAsync(other, timers: [othersRing]));
        Assert.True(await OtherNode.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Dialing }, 1, [operation]));

        Assert.True(await Store.TrySaveAsync(call with { Version = 3, Phase = CallPhase.Ended, EndedAt = now }, 2));

        Assert.Equal([new DueTimer(other.CallId, othersRing)], await Timers.ClaimDueAsync(now.AddSeconds(31), 10));
    }

    [Fact]
    public async Task A_save_that_loses_its_race_or_a_create_refused_by_the_limit_schedules_nothing()
    {
        var now = Clock.GetUtcNow();
        var alice = User("alice");
        var call = Simple(alice, User("bob"), now);
        Assert.True(await Store.TryCreateAsync(call, maxCallsInProgress: 1));
        var stale = new TimerRequest(CallTimerKind.Ring, "stale", now.AddSeconds(1));
        var refused = new TimerRequest(CallTimerKind.Ring, "refused", now.AddSeconds(1));

        Assert.False(await OtherNode.TrySaveAsync(call with { Version = 3 }, 2, [stale]));
        Assert.False(await OtherNode.TryCreateAsync(Simple(alice, User("carol"), now), 1, [refused]));

        Assert.Empty(await Timers.ClaimDueAsync(now.AddHours(1), 10));
    }

    [Fact]
    public async Task Ping_answers()
    {
        await Store.PingAsync();
    }

    /// <summary>How many call ids a listing of <paramref name="account"/>'s active calls reads.</summary>
    protected abstract Task<int> IndexedCallCountAsync(Domain.Addresses.Address account);

    private async Task<string[]> IdsOf(Domain.Addresses.Address account) =>
        (await Store.GetActiveCallsOfAsync(account)).Select(c => c.CallId).Order(StringComparer.Ordinal).ToArray();

    private static string[] Sorted(params string[] ids) => ids.Order(StringComparer.Ordinal).ToArray();
}
