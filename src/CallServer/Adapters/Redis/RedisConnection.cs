using System.Runtime.CompilerServices;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Redis;

/// <summary>
/// The one multiplexer of the process. It connects in the background and keeps reconnecting
/// (AbortOnConnectFail=false), so a node starts and recovers without Redis. Every wait on Redis is
/// bounded by <see cref="RedisOptions.OperationTimeout"/>: while Redis is away or stalled, commands fail
/// fast (BacklogPolicy.FailFast, no queueing while disconnected) or time out, and the operation throws
/// <see cref="StoreUnavailableException"/> having changed nothing (the edges answer <c>Unavailable</c>).
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Task<ConnectionMultiplexer> connecting;
    private readonly ILogger<RedisConnection> logger;
    private int unavailable;
    private long clockOffsetMs = long.MinValue;
    private StrongBox<bool>? cluster;

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        this.logger = logger;
        OperationTimeout = options.Value.OperationTimeout;
        var configuration = ConfigurationOptions.Parse(options.Value.Configuration!);
        configuration.AbortOnConnectFail = false;
        configuration.ConnectRetry = 3;
        configuration.ConnectTimeout = (int)options.Value.ConnectTimeout.TotalMilliseconds;
        configuration.AsyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;

        // Connecting starts now, in the background, and no request ever waits for it: until it is done,
        // the multiplexer is not there and requests answer Unavailable at once (with AbortOnConnectFail
        // off, it is done within the connect timeout even while Redis is down, and keeps retrying then).
        connecting = ConnectAsync(configuration, logger);
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration, ILogger logger)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        connection.ConnectionFailed += (_, e) => RedisLog.ConnectionLost(logger, e.FailureType, e.EndPoint?.ToString());
        connection.ConnectionRestored += (_, e) => RedisLog.ConnectionRestored(logger, e.EndPoint?.ToString());
        return connection;
    }

    /// <summary>The bound on every wait for Redis.</summary>
    public TimeSpan OperationTimeout { get; }

    /// <summary>
    /// The Redis time (ms, by Redis's own clock) after which a write sent now must no longer be applied:
    /// its sender gave up on it (a stalled Redis goes on with what it had received). Four fifths of the
    /// bound, so that a write Redis refuses as late is always answered <c>Unavailable</c>, and a write it
    /// applies was never answered so. "0" (no deadline) until the clock offset is known.
    /// </summary>
    public string WriteDeadline()
    {
        var offset = Volatile.Read(ref clockOffsetMs);
        return offset == long.MinValue
            ? "0"
            : (TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() + offset + (long)(OperationTimeout.TotalMilliseconds * 4 / 5)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Learns how far Redis's clock is from this node's (the heartbeat asks every beat).</summary>
    public async Task SampleClockAsync()
    {
        var before = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var time = (RedisResult[])(await Database.ExecuteAsync("TIME").WaitAsync(OperationTimeout))!;
        var after = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var redisMs = ((long)time[0] * 1000) + ((long)time[1] / 1000);
        Volatile.Write(ref clockOffsetMs, redisMs - ((before + after) / 2));
    }

    /// <summary>The multiplexer; while the first connect is still under way, a <see cref="RedisConnectionException"/> (so: Unavailable).</summary>
    public ConnectionMultiplexer Multiplexer => connecting.IsCompletedSuccessfully
        ? connecting.Result
        : throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis is still being connected to", null, CommandStatus.Unknown);

    /// <summary>Waits for the first connect to be done (at start-up, and in tests); a request never does.</summary>
    public ConnectionMultiplexer WaitUntilConnected() => connecting.GetAwaiter().GetResult();

    public IDatabase Database => Multiplexer.GetDatabase();

    /// <summary>
    /// True when Redis is a Cluster (learnt from the servers connected to; true while not yet known, the safe
    /// side): every script then touches one slot, and what a save cannot change in its own slot follows by an
    /// outbox message. A single Redis or Sentinel takes each save, indexes included, in one step.
    /// </summary>
    public bool IsCluster
    {
        get
        {
            var known = Volatile.Read(ref cluster);
            if (known is not null)
            {
                return known.Value;
            }

            var servers = Multiplexer.GetServers().Where(server => server.IsConnected).ToList();
            if (servers.Count == 0)
            {
                return true;
            }

            var isCluster = servers.Any(server => server.ServerType == ServerType.Cluster);
            Volatile.Write(ref cluster, new StrongBox<bool>(isCluster));
            return isCluster;
        }
    }

    /// <summary>The primaries (every one of a Cluster): where a scan for keys must look.</summary>
    public IReadOnlyList<IServer> Primaries() =>
        [.. Multiplexer.GetServers().Where(server => server.IsConnected && !server.IsReplica)];

    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    /// <summary>
    /// Runs a Redis operation within the bound; an unreachable or stalled Redis becomes a <see cref="StoreUnavailableException"/>.
    /// The multiplexer's own timeout is checked on its heartbeat (about once a second), so the bound is
    /// applied here too, to the millisecond.
    /// </summary>
    public async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        T result;
        try
        {
            result = await operation().WaitAsync(OperationTimeout);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            if (Interlocked.Exchange(ref unavailable, 1) == 0)
            {
                RedisLog.StoreUnavailable(logger, OperationTimeout.TotalMilliseconds, exception.GetType().Name);
            }

            throw Unavailable(exception);
        }

        if (Volatile.Read(ref unavailable) == 1 && Interlocked.Exchange(ref unavailable, 0) == 1)
        {
            RedisLog.StoreAvailable(logger);
        }

        return result;
    }

    public Task Guard(Func<Task> operation) => Guard(async () =>
    {
        await operation();
        return true;
    });

    /// <summary>
    /// Reads <paramref name="channel"/> in order (an ordered <see cref="ChannelMessageQueue"/>; the handler
    /// form of Subscribe is concurrent) and hands each message to <paramref name="handle"/>, one at a time,
    /// until <paramref name="stoppingToken"/>. Redis may be away at start: subscribing is retried every
    /// second; once subscribed, the multiplexer resubscribes by itself after outages.
    /// </summary>
    public async Task ReadChannelAsync(RedisChannel channel, Func<ChannelMessage, Task> handle, CancellationToken stoppingToken)
    {
        ChannelMessageQueue queue;
        while (true)
        {
            try
            {
                queue = await Subscriber.SubscribeAsync(channel).WaitAsync(OperationTimeout, stoppingToken);
                break;
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                RedisLog.ChannelNotSubscribed(logger, channel.ToString(), exception.Message);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }

        RedisLog.ChannelSubscribed(logger, channel.ToString());
        using var unsubscribe = stoppingToken.Register(() => queue.Unsubscribe());
        try
        {
            await foreach (var message in queue.WithCancellation(stoppingToken))
            {
                await handle(message);
            }
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // Unsubscribed: the node is stopping.
        }
    }

    /// <summary>
    /// A stored record this node cannot read (a newer schema during a rolling upgrade, or a broken record):
    /// logged, since an operator must hear of it, and thrown as the store being unavailable; nothing is acted on.
    /// </summary>
    public StoreUnavailableException Unreadable(StoredFormatException unreadable)
    {
        RedisLog.StoredRecordUnreadable(logger, unreadable.Message);
        return unreadable.ToUnavailable();
    }

    /// <summary>What a request whose store did not answer in time throws.</summary>
    public static StoreUnavailableException Unavailable(Exception? cause = null) =>
        new("the call store is unreachable; nothing changed, try again", cause);

    public void Dispose()
    {
        if (connecting.IsCompletedSuccessfully)
        {
            connecting.Result.Dispose();
        }
    }
}
