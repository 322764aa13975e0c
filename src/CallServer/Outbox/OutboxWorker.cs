using CallServer.Domain.Ports;

namespace CallServer.Outbox;

/// <summary>
/// The loop every outbox topic's worker runs on every node (pushes, call history): wait for this node's
/// own appends (its <see cref="OutboxSignal"/> wake-up: <see cref="IOutbox.TakeOwnAsync"/>) or the poll (<see
/// cref="IOutbox.TakeAsync"/>, which also finds other nodes' entries; at least every poll interval, however often
/// the node's own saves wake it), take as many entries as there are free
/// slots, handle each apart from the loop, and look again at once (the same way) while a take came back full. An entry is
/// acknowledged by its handler when done; one a handler fails on is left for another attempt after the
/// claim period (<see cref="OutboxWorkerSettings.ClaimAfter"/>). While the outbox cannot be read
/// (<see cref="StoreUnavailableException"/>), it says so once and keeps polling. On stop, the entries in hand
/// are awaited (their handlers see the stop).
/// </summary>
/// <param name="outbox">Where the entries are taken from.</param>
/// <param name="signal">Wakes the worker when this node appended to its topic.</param>
/// <param name="clock">The clock of the poll.</param>
/// <param name="consumer">This node, as the outbox's consumer.</param>
/// <param name="topic">The topic worked (<see cref="OutboxTopic"/>).</param>
public abstract class OutboxWorker(IOutbox outbox, OutboxSignal signal, TimeProvider clock, string consumer, string topic) : BackgroundService
{
    private readonly OutboxWakeup wake = signal.Listen(topic);
    private readonly HashSet<Task> running = [];
    private readonly Lock gate = new();
    private bool failing;
    private bool pollAgain;
    private long lastPoll;

    protected IOutbox Outbox => outbox;

    protected string Topic => topic;

    /// <summary>This node as the outbox's consumer (for <see cref="IOutbox.KeepAsync"/>).</summary>
    protected string Consumer => consumer;

    /// <summary>The clock of the poll, for the handlers' own times and waits.</summary>
    protected TimeProvider Clock => clock;

    /// <summary>The topic's poll, claim period and entries in hand (read once, at start).</summary>
    protected abstract OutboxWorkerSettings Settings { get; }

    /// <summary>Does the work of one entry and acknowledges it; throws to leave it for another attempt.</summary>
    protected abstract Task HandleAsync(OutboxEntry entry, CancellationToken stoppingToken);

    /// <summary>The outbox cannot be read (the store is away): logged once until it can again.</summary>
    protected abstract void OutboxUnavailable(string error);

    /// <summary>A handler failed on <paramref name="entry"/> (it is taken again after the claim period).</summary>
    protected abstract void HandleFailed(OutboxEntry entry, Exception error);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = Settings;
        lastPoll = clock.GetTimestamp();
        using var slots = new SemaphoreSlim(settings.MaxInHand);
        try
        {
            await RunAsync(settings, slots, stoppingToken);
        }
        finally
        {
            Task[] inHand;
            lock (gate)
            {
                inHand = [.. running];
            }

            await Task.WhenAll(inHand).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task RunAsync(OutboxWorkerSettings settings, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var woken = await wake.WaitAsync(settings.PollInterval, clock, stoppingToken);
                await slots.WaitAsync(stoppingToken);
                slots.Release();
                var wanted = Math.Max(1, slots.CurrentCount);
                // A node woken by its own saves all the time still polls (other nodes' entries, and those left to be claimed).
                var own = woken && !pollAgain && clock.GetElapsedTime(lastPoll) < settings.PollInterval;
                if (!own)
                {
                    lastPoll = clock.GetTimestamp();
                }

                var entries = own
                    ? await outbox.TakeOwnAsync(topic, consumer, wanted, settings.ClaimAfter, stoppingToken)
                    : await outbox.TakeAsync(topic, consumer, wanted, settings.ClaimAfter, stoppingToken);
                pollAgain = !own && entries.Count >= wanted;
                failing = false;
                foreach (var entry in entries)
                {
                    await slots.WaitAsync(stoppingToken);
                    Track(HandleAndReleaseAsync(entry, slots, stoppingToken));
                }

                if (entries.Count >= wanted)
                {
                    wake.Set(); // a full take: there may be more, look again without waiting for the poll
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StoreUnavailableException unavailable)
            {
                if (!failing)
                {
                    OutboxUnavailable(unavailable.Message);
                    failing = true;
                }
            }
        }
    }

    private void Track(Task task)
    {
        lock (gate)
        {
            running.Add(task);
        }

        _ = task.ContinueWith(
            done =>
            {
                lock (gate)
                {
                    running.Remove(done);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task HandleAndReleaseAsync(OutboxEntry entry, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await HandleAsync(entry, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping: another node takes the entry after the claim period.
        }
        catch (Exception unexpected)
        {
            HandleFailed(entry, unexpected);
        }
        finally
        {
            slots.Release();
        }
    }
}
