using System.Threading.Channels;
using CallServer.Adapters.Redis;
using CallServer.Cluster;
using CallServer.Hubs;
using CallServer.Observability.Logging;
using StackExchange.Redis;

namespace CallServer.Adapters.DeviceMessaging;

/// <summary>
/// Reads this node's channel and hands each event to its local device. The subscription is a
/// <see cref="ChannelMessageQueue"/>, which keeps a channel's messages in order (the handler form of
/// Subscribe does not on StackExchange.Redis 2.x and later). Events are then spread over a fixed number
/// of lanes by device: each lane delivers one event at a time, so a device's events stay in order,
/// and a device that is slow to take its events holds up only its lane, and that only until
/// <see cref="LocalDeviceMessenger"/> gives up on it.
/// </summary>
public sealed class NodeChannelListener(
    LocalDeviceMessenger devices,
    RedisConnection redis,
    RedisKeys keys,
    NodeIdentity node,
    ILogger<NodeChannelListener> logger) : BackgroundService
{
    private const int LaneCount = 16;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var lanes = Enumerable.Range(0, LaneCount)
            .Select(_ => Channel.CreateUnbounded<ReceivedNodeMessage>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true }))
            .ToArray();
        var deliveries = lanes.Select(lane => Task.Run(() => DeliverAsync(lane.Reader, stoppingToken), CancellationToken.None)).ToArray();
        try
        {
            await redis.ReadChannelAsync(
                keys.NodeChannel(node.Id),
                message =>
                {
                    if (Parse(message.Message) is { } parsed)
                    {
                        lanes[LaneOf(parsed.DeviceId)].Writer.TryWrite(parsed);
                    }

                    return Task.CompletedTask;
                },
                stoppingToken);
        }
        finally
        {
            foreach (var lane in lanes)
            {
                lane.Writer.TryComplete();
            }

            await Task.WhenAll(deliveries);
        }
    }

    /// <summary>The lane of a device: all its events go through the same one, in order.</summary>
    public static int LaneOf(string deviceId) => (int)((uint)StringComparer.Ordinal.GetHashCode(deviceId) % LaneCount);

    private ReceivedNodeMessage? Parse(RedisValue payload)
    {
        try
        {
            return NodeMessage.Parse(((ReadOnlyMemory<byte>)payload).Span, HubJson.Options);
        }
        catch (System.Text.Json.JsonException exception)
        {
            RedisLog.CrossNodeDeliveryFailed(logger, exception, node.Id);
            return null;
        }
    }

    private async Task DeliverAsync(ChannelReader<ReceivedNodeMessage> lane, CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in lane.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await devices.SendAsync(message.DeviceId, message.Method, [.. message.Arguments], stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    RedisLog.CrossNodeDeliveryFailed(logger, exception, node.Id);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The node is stopping.
        }
    }
}
