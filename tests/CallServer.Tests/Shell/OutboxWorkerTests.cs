using System.Collections.Concurrent;
using CallServer.Domain.Ports;
using CallServer.Outbox;

namespace CallServer.Tests.Shell;

/// <summary>
/// The loop of every outbox topic's worker (<see cref="OutboxWorker"/>), on the in-memory outbox and a fake
/// clock: entries in hand up to <see cref="OutboxWorkerSettings.MaxInHand"/> and no more, a failed entry
/// taken again after the claim period and not before, the signal and the poll, a store outage, the stop.
/// </summary>
public sealed class OutboxWorkerTests
{
    private const string Topic = OutboxTopic.History;
    private static readonly TimeSpan ClaimAfter = TimeSpan.FromSeconds(30);

    /// <summary>A poll that never comes in a test that does not move the clock an hour: only the signal wakes the worker.</summary>
    private static readonly TimeSpan NoPoll = TimeSpan.FromHours(1);

    [Fact]
    public async Task Entries_are_handled_concurrently_up_to_MaxInHand_and_no_more_are_taken_meanwhile()
    {
        var permits = new SemaphoreSlim(0);
        var started = 0;
        var inHand = 0;
        var mostInHand = 0;
        await using var run = new WorkerRun(NoPoll, maxInHand: 3);
        run.Handle = async (_, _) =>
        {
            var now = Interlocked.Increment(ref inHand);
            InterlockedMax(ref mostInHand, now);
            Interlocked.Increment(ref started);
            run.Changes.Notify();
            await permits.WaitAsync();
            Interlocked.Decrement(ref inHand);
        };
        run.AppendMessages(5);
        await run.StartAsync();

        run.Signal.Set(Topic);
        await run.Changes.Until(() => Volatile.Read(ref started) == 3, "three handlers started");
        Assert.Equal(3, run.Outbox.Taken.Count); // all slots busy: the other two stay in the outbox

        permits.Release();
        await run.Changes.Until(() => Volatile.Read(ref started) == 4 && run.Outbox.Acknowledged.Count == 1, "a fourth handler started once one was done");
        Assert.Equal(4, run.Outbox.Taken.Count);

        permits.Release(4);
        await run.Changes.Until(() => run.Outbox.Acknowledged.Count == 5, "all five acknowledged");
        Assert.Equal(3, Volatile.Read(ref mostInHand));
        Assert.Equal(3, run.Outbox.MaxOutstanding);
        Assert.Equal(5, run.Outbox.Taken.Select(entry => entry.Id).Distinct().Count());
        Assert.All(run.Outbox.Taken, entry => Assert.Equal(1, entry.Deliveries));
    }

    [Fact]
    public async Task An_entry_whose_handler_throws_is_reported_and_taken_again_after_the_claim_period_and_not_before()
    {
        await using var run = new WorkerRun(NoPoll, maxInHand: 4);
        run.Handle = (entry, _) => entry.Deliveries == 1 ? throw new InvalidOperationException("first attempt fails") : Task.CompletedTask;
        run.AppendMessages(1);
        await run.StartAsync();

        run.Signal.Set(Topic);

        // The take that found the entry: it came back short of a full take, so the worker does not look again.
        await run.Changes.Until(() => run.Failed.Count == 1 && run.Outbox.Takes == 1, "the entry failed");
        var (failedEntry, error) = Assert.Single(run.Failed);
        Assert.Equal("first attempt fails", error.Message);
        Assert.Empty(run.Outbox.Acknowledged);

        run.Clock.Advance(ClaimAfter - TimeSpan.FromMilliseconds(1));
        run.Signal.Set(Topic);
        await run.Changes.Until(() => run.Outbox.Takes == 2, "a take just before the claim period is over");
        Assert.Single(run.Outbox.Taken);

        run.Clock.Advance(TimeSpan.FromMilliseconds(1));
        run.Signal.Set(Topic);
        await run.Changes.Until(() => run.Outbox.Acknowledged.Count == 1, "the entry taken again and acknowledged");
        var again = run.Outbox.Taken[^1];
        Assert.Equal(failedEntry.Id, again.Id);
        Assert.Equal(2, again.Deliveries);
        Assert.Single(run.Failed);
    }

    [Fact]
    public async Task The_signal_wakes_the_worker_at_once_without_waiting_for_the_poll()
    {
        await using var run = new WorkerRun(NoPoll, maxInHand: 4);
        await run.StartAsync();
        await run.Clock.UntilTimersCreated(1); // parked in its wait, the poll an hour away

        run.AppendMessages(2);
        Assert.Equal(0, run.Outbox.Takes);
        run.Signal.Set(Topic);

        await run.Changes.Until(() => run.Outbox.Acknowledged.Count == 2, "both entries acknowledged");
        Assert.Equal(run.Clock.Start, run.Clock.GetUtcNow());
    }

    [Fact]
    public async Task Without_the_signal_the_poll_finds_the_entries_other_nodes_appended()
    {
        var poll = TimeSpan.FromSeconds(1);
        await using var run = new WorkerRun(poll, maxInHand: 4);
        await run.StartAsync();
        await run.Clock.UntilTimersCreated(1);

        run.AppendMessages(1); // appended by another node: nobody sets this node's signal
        run.Clock.Advance(poll - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, run.Outbox.Takes);

        run.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await run.Changes.Until(() => run.Outbox.Acknowledged.Count == 1, "the entry found at the poll and acknowledged");
    }

    [Fact]
    public async Task A_store_outage_is_reported_once_and_the_worker_recovers_and_reports_the_next_one()
    {
        await using var run = new WorkerRun(NoPoll, maxInHand: 4);
        run.Outbox.TakesFail = true;
        await run.StartAsync();

        for (var attempt = 1; attempt <= 3; attempt++)
        {
            run.Signal.Set(Topic);
            await run.Changes.Until(() => run.Outbox.FailedTakes == attempt, $"failed take {attempt}");
        }

        await run.Changes.Until(() => !run.Unavailable.IsEmpty, "the outage reported");
        var reported = Assert.Single(run.Unavailable);
        Assert.Contains("away", reported, StringComparison.Ordinal);

        run.Outbox.TakesFail = false;
        run.AppendMessages(1);
        run.Signal.Set(Topic);
        await run.Changes.Until(() => run.Outbox.Acknowledged.Count == 1 && run.Outbox.Takes == 4, "recovered: the entry handled");

        run.Outbox.TakesFail = true;
        run.Signal.Set(Topic);
        await run.Changes.Until(() => run.Outbox.FailedTakes == 4, "a take of the second outage");

        // The report follows the failed take (the worker hears of it when the take throws): wait for it.
        await run.Changes.Until(() => run.Unavailable.Count == 2, "the second outage reported");
        run.Signal.Set(Topic);
        await run.Changes.Until(() => run.Outbox.FailedTakes == 5, "another take of the second outage");
        Assert.Equal(2, run.Unavailable.Count); // once per outage, not per failed take
    }

    [Fact]
    public async Task On_stop_the_handlers_in_hand_are_awaited_and_see_the_stop()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stopSeen = 0;
        var finished = 0;
        var started = 0;
        await using var run = new WorkerRun(NoPoll, maxInHand: 4);
        run.Handle = async (_, stoppingToken) =>
        {
            Volatile.Write(ref started, 1);
            run.Changes.Notify();
            using var seen = stoppingToken.Register(() =>
            {
                Volatile.Write(ref stopSeen, 1);
                run.Changes.Notify();
            });
            await release.Task; // a handler that finishes what it started, whatever the stop
            Volatile.Write(ref finished, 1);
        };
        run.AppendMessages(1);
        await run.StartAsync();
        run.Signal.Set(Topic);
        await run.Changes.Until(() => Volatile.Read(ref started) == 1, "the handler started"); // the entry is in hand

        var stopping = run.Worker.StopAsync(CancellationToken.None);
        await run.Changes.Until(() => Volatile.Read(ref stopSeen) == 1, "the handler saw the stop");

        // Not a synchronisation: the stop must not end while the handler is in hand, however long one looks.
        var first = await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromMilliseconds(200)));
        Assert.NotSame(stopping, first);
        Assert.Equal(0, Volatile.Read(ref finished));

        release.SetResult();
        await stopping.WaitAsync(Conditions.Bound);
        Assert.Equal(1, Volatile.Read(ref finished));
        Assert.True(run.Worker.ExecuteTask!.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task A_handler_interrupted_by_the_stop_is_not_reported_failed_and_its_entry_stays_in_the_outbox()
    {
        await using var run = new WorkerRun(NoPoll, maxInHand: 4);
        run.Handle = (_, stoppingToken) => Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
        run.AppendMessages(1);
        await run.StartAsync();
        run.Signal.Set(Topic);
        await run.Changes.Until(() => run.Outbox.Taken.Count == 1, "the entry taken");

        await run.Worker.StopAsync(CancellationToken.None).WaitAsync(Conditions.Bound);

        Assert.Empty(run.Failed);
        Assert.Empty(run.Outbox.Acknowledged);
        Assert.Equal(1, await run.Outbox.BacklogAsync(Topic));
    }

    private static void InterlockedMax(ref int location, int value)
    {
        var current = Volatile.Read(ref location);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref location, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    /// <summary>One worker of the test topic on its own clock, outbox and signal; stopped when disposed.</summary>
    private sealed class WorkerRun : IAsyncDisposable
    {
        private int appended;

        public WorkerRun(TimeSpan poll, int maxInHand)
        {
            Outbox = new ObservedOutbox(Clock);
            Worker = new TestWorker(Outbox, Signal, Clock, new OutboxWorkerSettings(poll, ClaimAfter, maxInHand), this);
        }

        public ObservedClock Clock { get; } = new();

        public ObservedOutbox Outbox { get; }

        public OutboxSignal Signal { get; } = new();

        public TestWorker Worker { get; }

        public Conditions Changes => Outbox.Changes;

        /// <summary>What handling an entry does (before the worker acknowledges it); nothing by default.</summary>
        public Func<OutboxEntry, CancellationToken, Task> Handle { get; set; } = (_, _) => Task.CompletedTask;

        public ConcurrentQueue<string> Unavailable { get; } = new();

        public ConcurrentQueue<(OutboxEntry Entry, Exception Error)> Failed { get; } = new();

        public void AppendMessages(int count)
        {
            for (var i = 0; i < count; i++)
            {
                var n = Interlocked.Increment(ref appended);
                Outbox.Append(new OutboxMessage(Topic, $"call-{n}", $"{{\"n\":{n}}}"));
            }
        }

        public Task StartAsync() => Worker.StartAsync(CancellationToken.None);

        public async ValueTask DisposeAsync()
        {
            // A test that failed may have left a handler hanging: its failure is the one to report.
            await Worker.StopAsync(CancellationToken.None).WaitAsync(Conditions.Bound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Worker.Dispose();
        }
    }

    /// <summary>A worker whose handling is the test's (<see cref="WorkerRun.Handle"/>); it acknowledges each entry handled.</summary>
    private sealed class TestWorker(IOutbox outbox, OutboxSignal signal, TimeProvider clock, OutboxWorkerSettings settings, WorkerRun run)
        : OutboxWorker(outbox, signal, clock, "node-a", OutboxWorkerTests.Topic)
    {
        protected override OutboxWorkerSettings Settings => settings;

        protected override async Task HandleAsync(OutboxEntry entry, CancellationToken stoppingToken)
        {
            await run.Handle(entry, stoppingToken);
            await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
        }

        protected override void OutboxUnavailable(string error)
        {
            run.Unavailable.Enqueue(error);
            run.Changes.Notify();
        }

        protected override void HandleFailed(OutboxEntry entry, Exception error)
        {
            run.Failed.Enqueue((entry, error));
            run.Changes.Notify();
        }
    }
}
