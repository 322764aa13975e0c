namespace CallServer.Ports;

/// <summary>Which node does a job that one node at a time must do (deliver webhooks, in order).</summary>
public interface ILeaderLease
{
    /// <summary>
    /// Takes the lease if it is free (or already this node's), or null. The term it returns is cancelled
    /// (<see cref="LeaderTerm.Token"/>) once this node may no longer count on holding it; disposing it
    /// gives the lease up.
    /// </summary>
    Task<LeaderTerm?> TryAcquireAsync(CancellationToken cancellationToken);

    /// <summary>How long to wait before asking again after <see cref="TryAcquireAsync"/> found the lease held by another node.</summary>
    TimeSpan RetryInterval { get; }
}

/// <summary>A time during which this node holds a lease. Its token is cancelled when the term ends.</summary>
public abstract class LeaderTerm : IAsyncDisposable
{
    private readonly CancellationTokenSource ended = new();

    public CancellationToken Token => ended.Token;

    /// <summary>Ends the term now, or after <paramref name="delay"/> unless it is moved again.</summary>
    protected void EndAfter(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            End();
        }
        else
        {
            ended.CancelAfter(delay);
        }
    }

    protected void End() => ended.Cancel();

    /// <summary>What the term does in the background while it runs (renewing), awaited at disposal.</summary>
    protected virtual Task RunningAsync => Task.CompletedTask;

    /// <summary>Gives the lease up, once the term has ended.</summary>
    protected virtual Task ReleaseAsync() => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await ended.CancelAsync();
        await RunningAsync.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await ReleaseAsync();
        ended.Dispose();
        GC.SuppressFinalize(this);
    }
}
