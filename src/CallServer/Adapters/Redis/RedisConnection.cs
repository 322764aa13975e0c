using CallServer.Application;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Redis;

/// <summary>
/// The one multiplexer of the process. It connects in the background and keeps reconnecting
/// (AbortOnConnectFail=false), so a node starts and recovers without Redis; while Redis is away
/// every operation fails fast with <c>Unavailable</c> and changes nothing.
/// </summary>
public sealed class RedisConnection : IDisposable
{
    private readonly Lazy<ConnectionMultiplexer> multiplexer;

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        multiplexer = new Lazy<ConnectionMultiplexer>(() =>
        {
            var configuration = ConfigurationOptions.Parse(options.Value.Configuration!);
            configuration.AbortOnConnectFail = false;
            configuration.ConnectRetry = 3;
            configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 3000);
            configuration.SyncTimeout = Math.Min(configuration.SyncTimeout, 3000);
            var connection = ConnectionMultiplexer.Connect(configuration);
            connection.ConnectionFailed += (_, e) => logger.LogWarning("Redis connection lost ({FailureType}) to {Endpoint}", e.FailureType, e.EndPoint);
            connection.ConnectionRestored += (_, e) => logger.LogInformation("Redis connection restored to {Endpoint}", e.EndPoint);
            return connection;
        });
    }

    public ConnectionMultiplexer Multiplexer => multiplexer.Value;

    public IDatabase Database => Multiplexer.GetDatabase();

    public ISubscriber Subscriber => Multiplexer.GetSubscriber();

    /// <summary>Runs a Redis operation; an unreachable Redis becomes <c>Unavailable</c>.</summary>
    public static async Task<T> Guard<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            throw CallRefusedException.Of(ErrorCode.Unavailable, "the call store is unreachable; nothing changed, try again");
        }
    }

    public static Task Guard(Func<Task> operation) => Guard(async () =>
    {
        await operation();
        return true;
    });

    public void Dispose()
    {
        if (multiplexer.IsValueCreated)
        {
            multiplexer.Value.Dispose();
        }
    }
}
