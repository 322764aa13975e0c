using System.Collections.Concurrent;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;

namespace CallServer.Storage.Tests.Timers;

/// <summary>What every <see cref="ITimerQueue"/> must do; one subclass per implementation.</summary>
public abstract class TimerQueueContract
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 14, 9, 0, 0, TimeSpan.Zero);

    protected abstract ITimerQueue Queue { get; }

    /// <summary>A second claimer of the same timers (another node, for Redis; the same object in memory).</summary>
    protected abstract ITimerQueue OtherNode { get; }

    protected static DueTimer Timer(string callId, DateTimeOffset dueAt, CallTimerKind kind = CallTimerKind.Ring, string token = "r1") =>
        new(callId, new TimerRequest(kind, token, dueAt));

    /// <summary>Claims as the timer pump does: every claimed timer is completed.</summary>
    protected async Task<IReadOnlyList<DueTimer>> ClaimAndComplete(DateTimeOffset now, int max)
    {
        var claimed = await Queue.ClaimDueAsync(now, max);
        foreach (var timer in claimed)
        {
            await Queue.CompleteAsync(timer);
        }

        return claimed;
    }

    [Fact]
    public async Task A_timer_is_not_claimed_before_it_is_due()
    {
        await Queue.ScheduleAsync(Timer("c1", T0.AddSeconds(60)));

        Assert.Empty(await Queue.ClaimDueAsync(T0, 10));
        Assert.Empty(await OtherNode.ClaimDueAsync(T0.AddSeconds(60).AddMilliseconds(-1), 10));
    }

    [Fact]
    public async Task A_timer_is_claimed_once_when_due()
    {
        var timer = Timer("c1", T0.AddSeconds(60), CallTimerKind.ReconnectGrace, "caller:2");
        await Queue.ScheduleAsync(timer);

        var claimed = await Queue.ClaimDueAsync(T0.AddSeconds(60), 10);

        Assert.Equal(timer, Assert.Single(claimed));
        await Queue.CompleteAsync(claimed[0]);
        Assert.Empty(await Queue.ClaimDueAsync(T0.AddSeconds(61), 10));
        Assert.Empty(await OtherNode.ClaimDueAsync(T0.AddHours(1), 10));
    }

    [Fact]
    public async Task A_timer_past_its_due_time_is_claimed_once()
    {
        var timer = Timer("c1", T0);
        await Queue.ScheduleAsync(timer);

        Assert.Equal(timer, Assert.Single(await OtherNode.ClaimDueAsync(T0.AddMinutes(5), 10)));
        Assert.Empty(await Queue.ClaimDueAsync(T0.AddMinutes(5), 10));
    }

    [Fact]
    public async Task A_claimed_timer_is_not_claimed_again_even_before_it_is_completed()
    {
        await Queue.ScheduleAsync(Timer("c1", T0));

        Assert.Single(await Queue.ClaimDueAsync(T0, 10));

        Assert.Empty(await Queue.ClaimDueAsync(T0.AddMilliseconds(1), 10));
        Assert.Empty(await OtherNode.ClaimDueAsync(T0.AddMilliseconds(1), 10));
    }

    [Fact]
    public async Task The_same_timer_scheduled_twice_is_claimed_once()
    {
        await Queue.ScheduleAsync(Timer("c1", T0, CallTimerKind.Operation, "op-1"));
        await OtherNode.ScheduleAsync(Timer("c1", T0, CallTimerKind.Operation, "op-1"));

        var claimed = await Queue.ClaimDueAsync(T0, 10);

        Assert.Equal(Timer("c1", T0, CallTimerKind.Operation, "op-1"), Assert.Single(claimed));
        await Queue.CompleteAsync(claimed[0]);
        Assert.Empty(await OtherNode.ClaimDueAsync(T0.AddSeconds(1), 10));
    }

    [Fact]
    public async Task Timers_differing_in_call_kind_or_token_are_distinct()
    {
        DueTimer[] timers =
        [
            Timer("c1", T0, CallTimerKind.Ring, "1"),
            Timer("c1", T0, CallTimerKind.Ring, "2"),
            Timer("c1", T0, CallTimerKind.AnswerCompletion, string.Empty),
            Timer("c2", T0, CallTimerKind.Ring, "1"),
        ];
        foreach (var timer in timers)
        {
            await Queue.ScheduleAsync(timer);
        }

        var claimed = await Queue.ClaimDueAsync(T0, 10);

        Assert.Equal(timers.Select(t => t.Key).Order(StringComparer.Ordinal), claimed.Select(t => t.Key).Order(StringComparer.Ordinal));
        Assert.Equal(timers.ToHashSet(), claimed.ToHashSet());
    }

    [Fact]
    public async Task Claims_take_the_due_timers_earliest_first_up_to_the_maximum()
    {
        var late = Timer("late", T0.AddSeconds(3));
        var early = Timer("early", T0.AddSeconds(1));
        var middle = Timer("middle", T0.AddSeconds(2));
        var future = Timer("future", T0.AddSeconds(30));
        foreach (var timer in new[] { late, early, future, middle })
        {
            await Queue.ScheduleAsync(timer);
        }

        Assert.Equal([early, middle], await ClaimAndComplete(T0.AddSeconds(10), 2));
        Assert.Equal([late], await ClaimAndComplete(T0.AddSeconds(10), 2));
        Assert.Empty(await ClaimAndComplete(T0.AddSeconds(10), 2));
        Assert.Equal([future], await ClaimAndComplete(T0.AddSeconds(30), 2));
        Assert.Empty(await ClaimAndComplete(T0.AddHours(1), 2));
    }

    [Fact]
    public async Task Many_timers_claimed_by_two_concurrent_claimers_are_each_claimed_exactly_once()
    {
        var timers = Enumerable.Range(0, 300).Select(i => Timer($"call-{i}", T0.AddMilliseconds(i % 17))).ToList();
        // Scheduled 30 at a time: 300 at once could pass the 1 s operation bound on a loaded machine (not what is tested).
        foreach (var batch in timers.Select((t, i) => (t, i)).Chunk(30))
        {
            await Task.WhenAll(batch.Select(x => (x.i % 2 == 0 ? Queue : OtherNode).ScheduleAsync(x.t)));
        }

        var claimed = new ConcurrentQueue<DueTimer>();

        async Task ClaimAll(ITimerQueue claimer)
        {
            while (true)
            {
                var batch = await claimer.ClaimDueAsync(T0.AddSeconds(1), 7);
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (var timer in batch)
                {
                    claimed.Enqueue(timer);
                    await claimer.CompleteAsync(timer);
                }
            }
        }

        await Task.WhenAll(Task.Run(() => ClaimAll(Queue)), Task.Run(() => ClaimAll(OtherNode)));

        Assert.Equal(timers.Count, claimed.Count);
        Assert.Equal(timers.ToHashSet(), claimed.ToHashSet());
        Assert.Empty(await Queue.ClaimDueAsync(T0.AddHours(1), 1000));
    }

    [Fact]
    public async Task A_timer_scheduled_again_after_it_fired_fires_again()
    {
        var timer = Timer("c1", T0);
        await Queue.ScheduleAsync(timer);
        var first = Assert.Single(await Queue.ClaimDueAsync(T0, 10));
        await Queue.CompleteAsync(first);

        await Queue.ScheduleAsync(timer);

        Assert.Equal(timer, Assert.Single(await OtherNode.ClaimDueAsync(T0, 10)));
    }
}
