namespace CallServer.Adapters.Outbox;

/// <summary>
/// Wakes this node's outbox workers when this node appended something, so that its own messages go out at
/// once; messages appended by other nodes are found by the workers' poll. <see cref="WaitAsync"/> is one
/// worker's wake-up (the push dispatcher's); every other worker takes its own with <see cref="Listen"/>, so
/// that one <see cref="Set"/> wakes them all instead of the first to wait.
/// </summary>
public sealed class OutboxSignal
{
    private readonly OutboxWakeup own = new();
    private readonly Lock gate = new();
    private OutboxWakeup[] listeners = [];

    public void Set()
    {
        own.Set();
        foreach (var listener in Volatile.Read(ref listeners))
        {
            listener.Set();
        }
    }

    /// <summary>Returns when set or after <paramref name="poll"/>, whichever comes first.</summary>
    public Task WaitAsync(TimeSpan poll, CancellationToken cancellationToken) => own.WaitAsync(poll, cancellationToken);

    /// <summary>A wake-up of its own for another worker, set by every <see cref="Set"/> from now on.</summary>
    public OutboxWakeup Listen()
    {
        var wakeup = new OutboxWakeup();
        lock (gate)
        {
            listeners = [.. listeners, wakeup];
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

    /// <summary>Returns when set or after <paramref name="poll"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan poll, CancellationToken cancellationToken) =>
        await signal.WaitAsync(poll, cancellationToken);
}
