using CallServer.Adapters.Presence;
using CallServer.Adapters.Redis;
using CallServer.Application;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Commands;
using CallServer.Hubs;
using CallServer.Observability.Logging;
using CallServer.Ports;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Nodes;

/// <summary>
/// Says every interval that this node is alive, and reaps nodes that stopped saying so: their devices
/// leave presence and their calls start the reconnect grace (so clients that moved to another node can
/// <c>ResumeCall</c>). A node reaps only after it has itself been healthy for a whole node timeout, so
/// that after a Redis outage no live node is taken for dead.
/// </summary>
public sealed class NodeHeartbeat(
    RedisConnection redis,
    RedisKeys keys,
    NodeIdentity node,
    RedisPresence presence,
    LocalConnections connections,
    CallService calls,
    IRememberedCalls rememberedCalls,
    IOptions<RedisOptions> options,
    IOptions<CallsOptions> callsOptions,
    TimeProvider clock,
    ILogger<NodeHeartbeat> logger) : BackgroundService
{
    private const int BeatsBetweenReconciliations = 30;
    private static readonly TimeSpan ReapingLease = TimeSpan.FromSeconds(30);

    private DateTimeOffset? healthySince;
    private bool registered;
    private int beatsSinceReconciliation = BeatsBetweenReconciliations;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ticker = new PeriodicTimer(options.Value.NodeHeartbeatInterval, clock);
        do
        {
            try
            {
                await BeatAsync();
                if (healthySince is null || ++beatsSinceReconciliation >= BeatsBetweenReconciliations)
                {
                    await ReconcileOwnDevicesAsync(stoppingToken);
                    beatsSinceReconciliation = 0;
                }

                healthySince ??= clock.GetUtcNow();
                if (clock.GetUtcNow() - healthySince >= options.Value.NodeTimeout)
                {
                    await ReapDeadNodesAsync(stoppingToken);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                if (healthySince is not null)
                {
                    ClusterLog.HeartbeatFailed(logger, node.Id, exception.Message);
                }

                healthySince = null;
            }
        }
        while (await ticker.WaitForNextTickAsync(stoppingToken));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            // A clean exit: the connections closed already (and started their calls' grace); forget the node.
            var database = redis.Database;
            await database.KeyDeleteAsync(keys.NodeAlive(node.Id));
            await database.SetRemoveAsync(keys.Nodes, node.Id);
        }
        catch (Exception exception) when (exception is StackExchange.Redis.RedisException or TimeoutException)
        {
            ClusterLog.DeregisterFailed(logger, node.Id, exception.Message);
        }
    }

    private async Task BeatAsync()
    {
        var database = redis.Database;
        await database.StringSetAsync(keys.NodeAlive(node.Id), clock.GetUtcNow().ToUnixTimeMilliseconds(), options.Value.NodeTimeout);
        await redis.SampleClockAsync();
        var added = await database.SetAddAsync(keys.Nodes, node.Id);
        if (added && registered)
        {
            if (await database.KeyDeleteAsync(keys.NodeReaped(node.Id)))
            {
                // Another node took this one for dead (it stalled past the node timeout) and reaped its
                // devices: their calls are in their grace now. Close the connections, as a dead node's would
                // be, so that the clients reconnect and ResumeCall.
                var aborted = connections.AbortAll();
                ClusterLog.ReapedWhileAlive(logger, node.Id, aborted);
            }
            else
            {
                // Redis lost its data (a restart without persistence): put this node's devices back.
                foreach (var connection in connections.All())
                {
                    await presence.RegisterAsync(connection.Account, connection.DeviceId);
                }

                ClusterLog.DevicesReRegistered(logger, node.Id, connections.Count);
                var lost = await calls.ReportLostCallsAsync(rememberedCalls.RememberedCalls());
                if (lost > 0)
                {
                    ClusterLog.CallsLost(logger, node.Id, lost);
                }
            }
        }

        registered = true;
    }

    /// <summary>
    /// Devices this node still lists in Redis but no longer holds (their disconnect could not be written,
    /// say during a Redis outage) are removed now, and their calls start the reconnect grace.
    /// </summary>
    private async Task ReconcileOwnDevicesAsync(CancellationToken cancellationToken)
    {
        foreach (var member in await redis.Database.SetMembersAsync(keys.NodeDevices(node.Id)))
        {
            var (deviceId, account) = NodeDevice.Parse(member!);
            if (!connections.Contains(deviceId))
            {
                await ForgetDeviceAsync(deviceId, account, node.Id, cancellationToken);
            }
        }
    }

    private async Task ForgetDeviceAsync(string deviceId, string account, string nodeId, CancellationToken cancellationToken)
    {
        await presence.RemoveAsync(account, deviceId, nodeId);
        if (Address.TryParse(account, callsOptions.Value.DefaultDomain, out var address))
        {
            await calls.DisconnectAsync(new Requester(address, deviceId), cancellationToken);
        }
    }

    private async Task ReapDeadNodesAsync(CancellationToken cancellationToken)
    {
        var database = redis.Database;
        foreach (var member in await database.SetMembersAsync(keys.Nodes))
        {
            var other = (string)member!;
            if (other == node.Id || await database.KeyExistsAsync(keys.NodeAlive(other))
                || !await database.StringSetAsync(keys.NodeReaping(other), node.Id, ReapingLease, When.NotExists))
            {
                continue;
            }

            // This node claimed the dead one: it alone reaps it. If it dies half-way, the claim expires and
            // another node reaps what is left. The tombstone tells the dead node, should it live, what happened.
            await database.StringSetAsync(keys.NodeReaped(other), clock.GetUtcNow().ToUnixTimeMilliseconds(), TimeSpan.FromHours(1));
            var devices = await database.SetMembersAsync(keys.NodeDevices(other));
            ClusterLog.ReapingDeadNode(logger, other, devices.Length);
            foreach (var device in devices)
            {
                var (deviceId, account) = NodeDevice.Parse(device!);
                await ForgetDeviceAsync(deviceId, account, other, cancellationToken);
            }

            await database.KeyDeleteAsync(keys.NodeDevices(other));
            await database.SetRemoveAsync(keys.Nodes, other);
        }
    }
}
