namespace CallServer.Adapters.Calls;

/// <summary>Drops ended calls from memory once their retention period is over.</summary>
public sealed class EndedCallSweeper(InMemoryCallStore store, TimeProvider clock, ILogger<EndedCallSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ticker = new PeriodicTimer(Interval, clock);
        while (await ticker.WaitForNextTickAsync(stoppingToken))
        {
            var purged = store.PurgeExpired();
            if (purged > 0)
            {
                logger.LogDebug("Dropped {Count} ended calls past their retention", purged);
            }
        }
    }
}
