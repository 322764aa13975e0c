using System.Threading.Channels;
using CallServer.Adapters.Redis;
using CallServer.Cluster;
using CallServer.Hubs;
using CallServer.Observability.Logging;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace CallServer.Adapters.DeviceMessaging;

/// <summary>
/// Reads this node's channel and hands each event to its local device, one at a time, in order: the
/// subscription is a <see cref="ChannelMessageQueue"/>, which keeps a channel's messages in order (the
/// handler form of Subscribe does not on StackExchange.Redis 2.x and later).
/// </summary>
public sealed class NodeChannelListener(
    IHubContext<CallHub> hub,
    RedisConnection redis,
    RedisKeys keys,
    NodeIdentity node,
    ILogger<NodeChannelListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = await SubscribeAsync(stoppingToken);
        RedisLog.ChannelSubscribed(logger, node.Id);
        using var unsubscribe = stoppingToken.Register(() => queue.Unsubscribe());
        try
        {
            await foreach (var message in queue.WithCancellation(stoppingToken))
            {
                await DeliverAsync(message.Message, stoppingToken);
            }
        }
        catch (ChannelClosedException)
        {
            // Unsubscribed: the node is stopping.
        }
    }

    /// <summary>Redis may be away at start: keep trying; once subscribed, the multiplexer resubscribes after outages.</summary>
    private async Task<ChannelMessageQueue> SubscribeAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            try
            {
                return await redis.Subscriber.SubscribeAsync(keys.NodeChannel(node.Id)).WaitAsync(redis.OperationTimeout, stoppingToken);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                RedisLog.ChannelNotSubscribed(logger, node.Id, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private async Task DeliverAsync(RedisValue payload, CancellationToken stoppingToken)
    {
        try
        {
            var message = NodeMessage.Parse(((ReadOnlyMemory<byte>)payload).Span, HubJson.Options);
            await hub.Clients.Client(message.DeviceId).SendCoreAsync(message.Method, [.. message.Arguments], stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            RedisLog.CrossNodeDeliveryFailed(logger, exception, node.Id);
        }
    }
}
