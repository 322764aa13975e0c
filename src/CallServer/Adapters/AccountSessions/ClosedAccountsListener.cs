using CallServer.Adapters.Redis;
using CallServer.Hubs;
using CallServer.Observability.Logging;
using StackExchange.Redis;

namespace CallServer.Adapters.AccountSessions;

/// <summary>Closes this node's connections of every account published as closed (its user was deleted).</summary>
public sealed class ClosedAccountsListener(
    RedisConnection redis,
    RedisKeys keys,
    LocalConnections connections,
    ILogger<ClosedAccountsListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                var queue = await redis.Subscriber.SubscribeAsync(keys.ClosedAccountsChannel).WaitAsync(redis.OperationTimeout, stoppingToken);
                using var unsubscribe = stoppingToken.Register(() => queue.Unsubscribe());
                await foreach (var message in queue.WithCancellation(stoppingToken))
                {
                    var account = (string)message.Message!;
                    HubLog.AccountClosed(logger, account, connections.AbortAccount(account));
                }

                return;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                RedisLog.ChannelNotSubscribed(logger, "accounts:closed", exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }
}
