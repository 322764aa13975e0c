using CallServer.Adapters.Outbox;
using CallServer.Cluster;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;

namespace CallServer.Application;

/// <summary>
/// The loop every outbox topic's worker runs on every node (pushes, call history): wait for this node's
/// own appends (its <see cref="OutboxSignal"/> wake-up) or the poll, take as many entries as there are free
/// slots, handle each apart from the loop, and look again at once while there were entries. An entry is
/// acknowledged by its handler when done; one a handler fails on is left for another attempt after the
/// claim period. On stop, the entries in hand are awaited (their handlers see the stop).
/// </summary>
public abstract class OutboxWorker(IOutbox outbox, OutboxSignal signal, NodeIdentity node, string topic) : BackgroundService
{
    private readonly OutboxWakeup wake = signal.Listen(topic);
    private readonly HashSet<Task> running = [];
    private readonly Lock gate = new();
    private bool failing;

    protected IOutbox Outbox => outbox;

    protected string Topic => topic;

    /// <summary>This node as the outbox's consumer (for <see cref="IOutbox.KeepAsync"/>).</summary>
    protected string Consumer => node.Id;

    protected abstract TimeSpan PollInterval { get; }

    protected abstract int MaxConcurrent { get; }

    /// <summary>Does the work of one entry and acknowledges it; throws to leave it for another attempt.</summary>
    protected abstract Task HandleAsync(OutboxEntry entry, CancellationToken stoppingToken);

    /// <summary>The outbox cannot be read (the store is away): logged once until it can again.</summary>
    protected abstract void OutboxUnavailable(string error);

    /// <summary>A handler failed on <paramref name="entry"/> (it is taken again after the claim period).</summary>
    protected abstract void HandleFailed(OutboxEntry entry, Exception error);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(MaxConcurrent);
        try
        {
            await RunAsync(slots, stoppingToken);
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

    private async Task RunAsync(SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(PollInterval, stoppingToken);
                await slots.WaitAsync(stoppingToken);
                slots.Release();
                var entries = await outbox.TakeAsync(topic, node.Id, Math.Max(1, slots.CurrentCount), stoppingToken);
                failing = false;
                foreach (var entry in entries)
                {
                    await slots.WaitAsync(stoppingToken);
                    Track(HandleAndReleaseAsync(entry, slots, stoppingToken));
                }

                if (entries.Count > 0)
                {
                    wake.Set(); // there may be more: look again without waiting for the poll
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (CallRefusedException refused) when (refused.Error.Code == ErrorCode.Unavailable)
            {
                if (!failing)
                {
                    OutboxUnavailable(refused.Error.ToString());
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
