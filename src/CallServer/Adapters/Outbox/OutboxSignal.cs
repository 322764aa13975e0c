namespace CallServer.Adapters.Outbox;

/// <summary>
/// Wakes this node's outbox workers when this node appended something, so that its own messages go out at
/// once; messages appended by other nodes are found by the workers' poll.
/// </summary>
public sealed class OutboxSignal
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
