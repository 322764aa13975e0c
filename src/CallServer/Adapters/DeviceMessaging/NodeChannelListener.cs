using System.Text.Json;
using System.Threading.Channels;
using CallServer.Adapters.Redis;
using CallServer.Cluster;
using CallServer.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Adapters.DeviceMessaging;

/// <summary>Reads this node's channel and hands each event to its local device, one at a time, in order.</summary>
public sealed class NodeChannelListener(
    IHubContext<CallHub> hub,
    RedisConnection redis,
    RedisKeys keys,
    NodeIdentity node,
    ILogger<NodeChannelListener> logger) : BackgroundService
{
    private readonly Channel<string> inbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Redis may be away at start: keep trying; once subscribed, the multiplexer resubscribes after outages.
        while (true)
        {
            try
            {
                await redis.Subscriber.SubscribeAsync(keys.NodeChannel(node.Id), (_, message) => inbox.Writer.TryWrite(message!));
                break;
            }
            catch (Exception exception) when (exception is StackExchange.Redis.RedisException or TimeoutException)
            {
                logger.LogWarning("Node {NodeId} cannot subscribe to its channel yet: {Error}", node.Id, exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }

        logger.LogInformation("Node {NodeId} listening for cross-node events", node.Id);
        await foreach (var payload in inbox.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                var message = JsonSerializer.Deserialize<NodeMessage>(payload, HubJson.Options)!;
                await hub.Clients.Client(message.DeviceId).SendCoreAsync(message.Method, [.. message.Arguments.Cast<object?>()], stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Could not deliver a cross-node event on node {NodeId}", node.Id);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        inbox.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
    }
}
