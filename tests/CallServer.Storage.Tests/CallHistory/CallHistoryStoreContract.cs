using CallServer.Domain.Calls;
using CallServer.Domain.Records;
using CallServer.Domain.Views;
using CallServer.History;
using CallServer.Ports;
using CallServer.Storage.Tests.Infrastructure;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.CallHistory;

/// <summary>What every <see cref="ICallHistoryStore"/> must do; one subclass per implementation.</summary>
public abstract class CallHistoryStoreContract
{
    /// <summary>Bounds that keep everything the tests add, unless a test sets its own.</summary>
    private static readonly CallHistoryBounds Unbounded = new(1000, DateTimeOffset.UnixEpoch);

    private static readonly CallHistoryPage All = new(200, null);

    protected ManualClock Clock { get; } = new();

    protected abstract ICallHistoryStore Store { get; }

    /// <summary>The same histories as another node sees them.</summary>
    protected abstract ICallHistoryStore OtherNode { get; }

    /// <summary>A whole-millisecond time <paramref name="seconds"/> after the clock's now.</summary>
    protected DateTimeOffset At(double seconds) => Clock.GetUtcNow().AddSeconds(seconds);

    protected static CallHistoryEntry Entry(string callId, DateTimeOffset endedAt) => new(
        callId, CallDirection.Outgoing, User("bob"), null, Missed: false, EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser,
        endedAt.AddSeconds(-60), endedAt.AddSeconds(-50), endedAt, TimeSpan.FromSeconds(50), Video: false);

    private async Task<List<string>> IdsAsync(string account, CallHistoryPage? page = null, DateTimeOffset? notBefore = null) =>
        (await OtherNode.ListAsync(User(account), page ?? All, notBefore ?? DateTimeOffset.UnixEpoch)).Select(e => e.CallId).ToList();

    [Fact]
    public async Task An_entry_round_trips_every_field_to_the_millisecond_and_belongs_to_its_account_only()
    {
        var incoming = new CallHistoryEntry(
            "call-in", CallDirection.Incoming, Telephone("+15551234567"), "Alice Example", Missed: true, EndReason.NoAnswer, CallStatusCodes.CanceledOrNotAnswered,
            At(1), null, At(31), TimeSpan.Zero, Video: true);
        var outgoing = Entry("call-out", At(100)) with { RemoteAddress = User("carol") };
        Assert.Equal(CallHistoryAdd.Added, await Store.AddAsync(User("bob"), incoming, Unbounded));
        Assert.Equal(CallHistoryAdd.Added, await Store.AddAsync(User("bob"), outgoing, Unbounded));

        Assert.Equal([outgoing, incoming], await OtherNode.ListAsync(User("bob"), All, DateTimeOffset.UnixEpoch));
        Assert.Empty(await OtherNode.ListAsync(User("alice"), All, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task The_transfers_and_moves_of_an_entry_round_trip()
    {
        var entry = Entry("call-moved", At(40)) with
        {
            TransferredFrom = new CallRecordTransfer("call-before", User("dave")),
            TransferredTo = new CallRecordTransfer("call-after", User("bob"), Telephone("+15551234567")),
            PulledAt = [At(10), At(20)],
        };
        await Store.AddAsync(User("bob"), entry, Unbounded);

        var read = Assert.Single(await OtherNode.ListAsync(User("bob"), All, DateTimeOffset.UnixEpoch));
        Assert.Equal((entry.TransferredFrom, entry.TransferredTo), (read.TransferredFrom, read.TransferredTo));
        Assert.Equal(entry.PulledAt, read.PulledAt);
        Assert.Equal(entry with { PulledAt = [] }, read with { PulledAt = [] });
    }

    [Fact]
    public async Task Times_and_the_duration_are_kept_to_the_millisecond_in_UTC()
    {
        var offset = TimeSpan.FromHours(2);
        var endedAt = new DateTimeOffset(At(10).UtcDateTime.AddTicks(4567), TimeSpan.Zero).ToOffset(offset);
        var entry = Entry("call-1", endedAt) with { InCallDuration = TimeSpan.FromTicks(123_456_789) };
        await Store.AddAsync(User("bob"), entry, Unbounded);

        var stored = Assert.Single(await OtherNode.ListAsync(User("bob"), All, DateTimeOffset.UnixEpoch));
        Assert.Equal(At(10), stored.EndedAt);
        Assert.Equal(TimeSpan.Zero, stored.EndedAt.Offset);
        Assert.Equal(At(-50), stored.CreatedAt);
        Assert.Equal(TimeSpan.FromMilliseconds(12_345), stored.InCallDuration);
    }

    [Fact]
    public async Task The_history_is_newest_first_by_end_then_by_call_id()
    {
        foreach (var (id, seconds) in new[] { ("c", 5.0), ("a", 20.0), ("e", 5.0), ("b", 0.001), ("d", 20.0) })
        {
            await Store.AddAsync(User("bob"), Entry(id, At(seconds)), Unbounded);
        }

        Assert.Equal(["d", "a", "e", "c", "b"], await IdsAsync("bob"));
    }

    [Fact]
    public async Task Limit_and_before_page_through_the_history_without_overlap_or_gap()
    {
        for (var i = 0; i < 7; i++)
        {
            await (i % 2 == 0 ? Store : OtherNode).AddAsync(User("bob"), Entry($"call-{i}", At(i)), Unbounded);
        }

        var pages = new List<List<string>>();
        DateTimeOffset? before = null;
        while (true)
        {
            var page = await OtherNode.ListAsync(User("bob"), new CallHistoryPage(3, before), DateTimeOffset.UnixEpoch);
            if (page.Count == 0)
            {
                break;
            }

            pages.Add(page.Select(e => e.CallId).ToList());
            before = page[^1].EndedAt;
        }

        Assert.Equal([["call-6", "call-5", "call-4"], ["call-3", "call-2", "call-1"], ["call-0"]], pages);
    }

    [Fact]
    public async Task Before_is_strict_to_the_tick()
    {
        await Store.AddAsync(User("bob"), Entry("early", At(1)), Unbounded);
        await Store.AddAsync(User("bob"), Entry("late", At(2)), Unbounded);

        Assert.Equal(["early"], await IdsAsync("bob", new CallHistoryPage(10, At(2))));
        Assert.Equal(["late", "early"], await IdsAsync("bob", new CallHistoryPage(10, At(2).AddTicks(1))));
        Assert.Empty(await IdsAsync("bob", new CallHistoryPage(10, At(1))));
    }

    [Fact]
    public async Task Adding_a_call_again_changes_nothing()
    {
        var first = Entry("call-1", At(10));
        Assert.Equal(CallHistoryAdd.Added, await Store.AddAsync(User("bob"), first, Unbounded));
        Assert.Equal(CallHistoryAdd.AlreadyThere, await OtherNode.AddAsync(User("bob"), first, Unbounded));
        Assert.Equal(CallHistoryAdd.AlreadyThere, await Store.AddAsync(User("bob"), first with { EndedAt = At(20), Missed = true }, Unbounded));

        Assert.Equal([first], await OtherNode.ListAsync(User("bob"), All, DateTimeOffset.UnixEpoch));
    }

    [Fact]
    public async Task Adding_several_at_once_adds_each_as_one_add_would_with_the_results_in_order()
    {
        // Accounts in different shards; bob's history already has call-1 and is bounded to 2 entries.
        var bounds = new CallHistoryBounds(2, DateTimeOffset.UnixEpoch);
        await Store.AddAsync(User("bob"), Entry("call-1", At(10)), bounds);
        await Store.AddAsync(User("carol"), Entry("call-0", At(5)), bounds);
        Assert.True(await Store.RemoveAsync(User("carol"), "call-0", bounds));
        var accounts = Enumerable.Range(0, 12).Select(i => User($"many-{i}")).ToList();

        var results = await OtherNode.AddAllAsync(
            [
                new(User("bob"), Entry("call-1", At(10))),   // already there
                new(User("alice"), Entry("call-1", At(10))), // new
                new(User("carol"), Entry("call-0", At(5))),  // deleted by its user
                new(User("bob"), Entry("call-2", At(20))),   // new: bob now has 2
                new(User("bob"), Entry("call-00", At(1))),   // older than the 2 kept
                .. accounts.Select(account => new CallHistoryAddition(account, Entry("call-3", At(30)))),
            ],
            bounds);

        Assert.Equal(
            [CallHistoryAdd.AlreadyThere, CallHistoryAdd.Added, CallHistoryAdd.Deleted, CallHistoryAdd.Added, CallHistoryAdd.Dropped, .. accounts.Select(_ => CallHistoryAdd.Added)],
            results);
        Assert.Equal(["call-2", "call-1"], await IdsAsync("bob"));
        Assert.Equal(["call-1"], await IdsAsync("alice"));
        Assert.Empty(await IdsAsync("carol"));
        foreach (var account in accounts)
        {
            Assert.Equal(["call-3"], await IdsAsync(account.Value.Split('@')[0]));
        }

        Assert.Empty(await Store.AddAllAsync([], bounds));
    }

    [Fact]
    public async Task Remove_takes_one_entry_of_one_account_and_a_redelivered_record_does_not_bring_it_back()
    {
        await Store.AddAsync(User("bob"), Entry("call-1", At(1)), Unbounded);
        await Store.AddAsync(User("bob"), Entry("call-2", At(2)), Unbounded);
        await Store.AddAsync(User("carol"), Entry("call-1", At(1)), Unbounded);

        Assert.True(await OtherNode.RemoveAsync(User("bob"), "call-1", Unbounded));
        Assert.False(await OtherNode.RemoveAsync(User("bob"), "call-1", Unbounded));
        Assert.False(await OtherNode.RemoveAsync(User("alice"), "call-2", Unbounded));

        Assert.Equal(["call-2"], await IdsAsync("bob"));
        Assert.Equal(["call-1"], await IdsAsync("carol"));

        Assert.Equal(CallHistoryAdd.Deleted, await Store.AddAsync(User("bob"), Entry("call-1", At(1)), Unbounded));
        Assert.Equal(["call-2"], await IdsAsync("bob"));
        Assert.Equal(CallHistoryAdd.AlreadyThere, await Store.AddAsync(User("carol"), Entry("call-1", At(1)), Unbounded));
    }

    [Fact]
    public async Task Clear_takes_the_whole_history_of_one_account_and_keeps_out_the_calls_that_ended_before_it()
    {
        await Store.AddAsync(User("bob"), Entry("call-1", At(1)), Unbounded);
        await Store.AddAsync(User("bob"), Entry("call-2", At(2)), Unbounded);
        await Store.AddAsync(User("carol"), Entry("call-3", At(3)), Unbounded);

        Assert.True(await OtherNode.ClearAsync(User("bob"), At(2.5), Unbounded));
        Assert.False(await OtherNode.ClearAsync(User("bob"), At(2.5), Unbounded));

        Assert.Empty(await IdsAsync("bob"));
        Assert.Equal(["call-3"], await IdsAsync("carol"));

        // A record delivered again, or late, of a call that ended before the clear stays out; a later call goes in.
        Assert.Equal(CallHistoryAdd.Deleted, await Store.AddAsync(User("bob"), Entry("call-1", At(1)), Unbounded));
        Assert.Equal(CallHistoryAdd.Deleted, await Store.AddAsync(User("bob"), Entry("call-late", At(2.4)), Unbounded));
        Assert.Equal(CallHistoryAdd.Added, await Store.AddAsync(User("bob"), Entry("call-4", At(4)), Unbounded));
        Assert.Equal(["call-4"], await IdsAsync("bob"));
    }

    [Fact]
    public async Task A_deleted_account_loses_its_history_and_its_marks()
    {
        await Store.AddAsync(User("bob"), Entry("call-1", At(1)), Unbounded);
        await Store.AddAsync(User("bob"), Entry("call-2", At(2)), Unbounded);
        Assert.True(await Store.RemoveAsync(User("bob"), "call-2", Unbounded));
        Assert.True(await Store.ClearAsync(User("bob"), At(1.5), Unbounded));

        Assert.False(await OtherNode.DeleteAsync(User("bob")));
        Assert.Equal(CallHistoryAdd.Added, await Store.AddAsync(User("bob"), Entry("call-1", At(1)), Unbounded));
        Assert.Equal(CallHistoryAdd.Added, await Store.AddAsync(User("bob"), Entry("call-2", At(2)), Unbounded));
        Assert.True(await OtherNode.DeleteAsync(User("bob")));
        Assert.Empty(await IdsAsync("bob"));
    }

    [Fact]
    public async Task The_marks_of_deleted_entries_are_bounded_like_the_entries()
    {
        var bounds = new CallHistoryBounds(3, DateTimeOffset.UnixEpoch);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(CallHistoryAdd.Added, await Store.AddAsync(User("bob"), Entry($"call-{i}", At(i)), bounds));
            Assert.True(await Store.RemoveAsync(User("bob"), $"call-{i}", bounds));
        }

        // Three marks kept, the newest: the two oldest calls could come back (as an old call can when nothing newer is kept).
        Assert.Equal(CallHistoryAdd.Deleted, await OtherNode.AddAsync(User("bob"), Entry("call-5", At(5)), bounds));
        Assert.Equal(CallHistoryAdd.Deleted, await OtherNode.AddAsync(User("bob"), Entry("call-3", At(3)), bounds));
        Assert.Equal(CallHistoryAdd.Added, await OtherNode.AddAsync(User("bob"), Entry("call-1", At(1)), bounds));

        // A mark older than the age bound goes at the next delete: an entry that old is dropped anyway.
        Assert.True(await Store.RemoveAsync(User("bob"), "call-1", new CallHistoryBounds(3, At(4))));
        Assert.Equal(CallHistoryAdd.Deleted, await OtherNode.AddAsync(User("bob"), Entry("call-5", At(5)), bounds));
        Assert.Equal(CallHistoryAdd.Added, await OtherNode.AddAsync(User("bob"), Entry("call-3", At(3)), bounds));
    }

    [Fact]
    public async Task Paging_by_the_cursor_yields_every_entry_exactly_once_even_when_many_ended_in_the_same_millisecond()
    {
        var expected = new List<string>();
        for (var ms = 0; ms < 4; ms++)
        {
            for (var i = 0; i < 7; i++)
            {
                var id = $"call-{ms}-{(char)('a' + ((i * 5) % 7))}";
                await (i % 2 == 0 ? Store : OtherNode).AddAsync(User("bob"), Entry(id, At(10).AddMilliseconds(ms)), Unbounded);
                expected.Add(id);
            }
        }

        expected = [.. expected.OrderByDescending(id => id, StringComparer.Ordinal)];
        foreach (var size in new[] { 1, 3, 7, 10 })
        {
            var seen = new List<string>();
            CallHistoryCursor? after = null;
            for (var pages = 0; pages < 100; pages++)
            {
                var page = await OtherNode.ListAsync(User("bob"), new CallHistoryPage(size, null) { After = after }, DateTimeOffset.UnixEpoch);
                seen.AddRange(page.Select(e => e.CallId));
                if (page.Count < size)
                {
                    break;
                }

                after = new CallHistoryCursor(CallHistoryOrder.Score(page[^1]), page[^1].CallId);
            }

            Assert.Equal(expected, seen);
        }

        // A cursor past the age bound, or at the end, gives nothing; one between entries gives what is after it.
        Assert.Empty(await OtherNode.ListAsync(User("bob"), new CallHistoryPage(10, null) { After = new CallHistoryCursor(CallHistoryOrder.Score(Entry("x", At(10))), "call-0-a") }, DateTimeOffset.UnixEpoch));
        Assert.Empty(await OtherNode.ListAsync(User("bob"), All with { After = new CallHistoryCursor(CallHistoryOrder.Score(Entry("x", At(20))), "z") }, At(15)));
        Assert.Equal(["call-1-b", "call-1-a", "call-0-g"], (await OtherNode.ListAsync(User("bob"), new CallHistoryPage(3, null) { After = new CallHistoryCursor(CallHistoryOrder.Score(Entry("x", At(10).AddMilliseconds(1))), "call-1-bb") }, DateTimeOffset.UnixEpoch)).Select(e => e.CallId));
    }

    [Fact]
    public async Task A_write_past_the_count_drops_the_oldest_and_an_entry_older_than_all_kept_is_not_kept()
    {
        var bounds = new CallHistoryBounds(3, DateTimeOffset.UnixEpoch);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(CallHistoryAdd.Added, await Store.AddAsync(User("bob"), Entry($"call-{i}", At(i * 10)), bounds));
        }

        Assert.Equal(["call-5", "call-4", "call-3"], await IdsAsync("bob"));

        Assert.Equal(CallHistoryAdd.Dropped, await OtherNode.AddAsync(User("bob"), Entry("call-0", At(0)), bounds));
        Assert.Equal(CallHistoryAdd.Dropped, await OtherNode.AddAsync(User("bob"), Entry("call-1", At(10)), bounds));
        Assert.Equal(CallHistoryAdd.Added, await OtherNode.AddAsync(User("bob"), Entry("call-35", At(35)), bounds));
        Assert.Equal(["call-5", "call-4", "call-35"], await IdsAsync("bob"));
    }

    [Fact]
    public async Task Entries_older_than_the_age_bound_are_never_returned_and_are_dropped_on_the_next_write()
    {
        await Store.AddAsync(User("bob"), Entry("old", At(-100)), Unbounded);
        await Store.AddAsync(User("bob"), Entry("edge", At(-60)), Unbounded);
        await Store.AddAsync(User("bob"), Entry("new", At(-10)), Unbounded);

        // Read with the bound at now - 60 s: "old" is hidden (at the bound itself, "edge" is still kept).
        var cutoff = At(-60);
        Assert.Equal(["new", "edge"], await IdsAsync("bob", notBefore: cutoff));
        Assert.Equal(["new", "edge", "old"], await IdsAsync("bob"));

        // A write with that bound drops it for good, and refuses an entry that is too old itself.
        var bounds = new CallHistoryBounds(100, cutoff);
        Assert.Equal(CallHistoryAdd.Dropped, await OtherNode.AddAsync(User("bob"), Entry("older", At(-61)), bounds));
        Assert.Equal(CallHistoryAdd.Added, await OtherNode.AddAsync(User("bob"), Entry("newest", At(0)), bounds));
        Assert.Equal(["newest", "new", "edge"], await IdsAsync("bob"));
        Assert.False(await Store.RemoveAsync(User("bob"), "old", bounds));
    }

    [Fact]
    public async Task Concurrent_adds_from_two_nodes_never_pass_the_count_bound_and_keep_the_newest()
    {
        var bounds = new CallHistoryBounds(10, DateTimeOffset.UnixEpoch);
        var ids = Enumerable.Range(0, 40).ToList();
        var results = await Task.WhenAll(ids.Select(i => (i % 2 == 0 ? Store : OtherNode).AddAsync(User("bob"), Entry($"call-{i:00}", At(i)), bounds)));

        Assert.Equal(10, (await IdsAsync("bob")).Count);
        Assert.Equal(ids.Skip(30).Reverse().Select(i => $"call-{i:00}"), await IdsAsync("bob"));
        Assert.True(results.Count(r => r == CallHistoryAdd.Added) >= 10);
        Assert.DoesNotContain(CallHistoryAdd.AlreadyThere, results);
    }
}
