namespace CallServer.Adapters.Outbox;

/// <summary>
/// Wakes this node's outbox workers when this node appended something, so that its own messages go out at
/// once; messages appended by other nodes are found by the workers' poll. Each worker of another topic waits
/// on its own <see cref="Listen"/>er, so that one <see cref="Set"/> wakes every worker, not just one of them.
/// </summary>
public sealed class OutboxSignal
{
    private readonly SemaphoreSlim signal = new(0, 1);
    private readonly Lock gate = new();
    private OutboxSignal[] listeners = [];

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

        foreach (var listener in Volatile.Read(ref listeners))
        {
            listener.Set();
        }
    }

    /// <summary>A signal of its own for one more worker: set whenever this one is set, and by its worker alone otherwise.</summary>
    public OutboxSignal Listen()
    {
        var listener = new OutboxSignal();
        lock (gate)
        {
            listeners = [.. listeners, listener];
        }

        return listener;
    }

    /// <summary>Returns when set or after <paramref name="poll"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan poll, CancellationToken cancellationToken) =>
        await signal.WaitAsync(poll, cancellationToken);
}
