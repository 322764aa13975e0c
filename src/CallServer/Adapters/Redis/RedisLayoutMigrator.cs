namespace CallServer.Adapters.Redis;

/// <summary>Brings the data to this node's key layout at start, trying again every second until done (the node is unready until then).</summary>
public sealed class RedisLayoutMigrator(RedisLayout layout, ILogger<RedisLayoutMigrator> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await layout.EnsureAsync())
                {
                    return;
                }
            }
            catch (Domain.Ports.StoreUnavailableException unavailable)
            {
                logger.LogDebug("The key layout cannot be checked yet: {Error}", unavailable.Message);
            }
            catch (InvalidOperationException)
            {
                return; // a newer layout: logged; this node stays unready
            }

            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
