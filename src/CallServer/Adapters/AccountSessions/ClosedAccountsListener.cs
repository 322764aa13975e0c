using CallServer.Adapters.Redis;
using CallServer.Cluster;
using CallServer.Hubs;
using CallServer.Observability.Logging;

namespace CallServer.Adapters.AccountSessions;

/// <summary>Closes this node's connections of every account published as closed (its user was deleted).</summary>
public sealed class ClosedAccountsListener(
    RedisConnection redis,
    RedisKeys keys,
    LocalConnections connections,
    ILogger<ClosedAccountsListener> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        redis.ReadChannelAsync(
            keys.ClosedAccountsChannel,
            message =>
            {
                var account = (string)message.Message!;
                HubLog.AccountClosed(logger, account, connections.AbortAccount(account));
                return Task.CompletedTask;
            },
            stoppingToken);
}
