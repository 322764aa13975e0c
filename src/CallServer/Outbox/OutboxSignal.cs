namespace CallServer.Outbox;

/// <summary>
/// Wakes this node's outbox worker of a topic when this node appended to that topic, so that its own messages
/// go out at once; messages appended by other nodes are found by the workers' poll. Each worker takes its own
/// wake-up for its topic with <see cref="Listen"/>, so a call record wakes the history worker and nobody else
/// (a worker woken for nothing asks the store for nothing).
/// </summary>
public sealed class OutboxSignal
{
    private readonly Lock gate = new();
    private (string Topic, OutboxWakeup Wakeup)[] listeners = [];

    /// <summary>Wakes the workers of <paramref name="topic"/>.</summary>
    public void Set(string topic)
    {
        foreach (var (listened, wakeup) in Volatile.Read(ref listeners))
        {
            if (listened == topic)
            {
                wakeup.Set();
            }
        }
    }

    /// <summary>Wakes the workers of every topic of <paramref name="appended"/> (the messages a save just wrote).</summary>
    public void Set(IReadOnlyList<Domain.Ports.OutboxMessage> appended)
    {
        if (appended.Count == 0)
        {
            return;
        }

        foreach (var topic in appended.Select(message => message.Topic).Distinct(StringComparer.Ordinal))
        {
            Set(topic);
        }
    }

    /// <summary>A wake-up of its own for a worker of <paramref name="topic"/>, set by every <see cref="Set(string)"/> of it from now on.</summary>
    public OutboxWakeup Listen(string topic)
    {
        var wakeup = new OutboxWakeup();
        lock (gate)
        {
            listeners = [.. listeners, (topic, wakeup)];
        }

        return wakeup;
    }
}

/// <summary>One worker's wake-up: set at most once until it is waited on (a set while the worker is busy is kept).</summary>
public sealed class OutboxWakeup
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Set()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already set.
        }
    }

    /// <summary>Returns when set (true) or after <paramref name="poll"/> of real time (false), whichever comes first.</summary>
    public Task<bool> WaitAsync(TimeSpan poll, CancellationToken cancellationToken) => WaitAsync(poll, TimeProvider.System, cancellationToken);

    /// <summary>
    /// Returns when set (true) or after <paramref name="poll"/> on <paramref name="clock"/> (false), whichever comes
    /// first; throws <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public async Task<bool> WaitAsync(TimeSpan poll, TimeProvider clock, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (signal.Wait(0, CancellationToken.None))
        {
            return true;
        }

        // The poll is a cancellation on the clock (a test's clock moves when told), not the semaphore's own timeout.
        using var polled = new CancellationTokenSource(poll, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, polled.Token);
        var waiting = signal.WaitAsync(either.Token);
        await waiting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
        return waiting.IsCompletedSuccessfully;
    }
}
