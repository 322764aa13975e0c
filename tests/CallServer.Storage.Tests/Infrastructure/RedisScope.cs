using CallServer.Configuration;
using CallServer.Adapters.Redis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>
/// One test's view of a Redis server: its own key prefix (so tests sharing a server never collide) and
/// the connections it opened, disposed with it.
/// </summary>
public sealed class RedisScope(IRedisDeployment server, Action<RedisOptions>? configure = null) : IDisposable
{
    private readonly List<RedisConnection> connections = [];

    public IOptions<RedisOptions> Options { get; } = Microsoft.Extensions.Options.Options.Create(Configure(server, configure));

    public RedisKeys Keys => new(Options);

    /// <summary>
    /// A new multiplexer, as another node would have. Connected before it is returned unless <paramref name="lazy"/>
    /// (then it connects in the background, as at a node's start, and answers Unavailable until it has).
    /// </summary>
    public RedisConnection Connect(bool lazy = false)
    {
        var connection = new RedisConnection(Options, NullLogger<RedisConnection>.Instance);
        if (!lazy)
        {
            connection.WaitUntilConnected();
        }

        lock (connections)
        {
            connections.Add(connection);
        }

        return connection;
    }

    public void Dispose()
    {
        lock (connections)
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }

            connections.Clear();
        }
    }

    private static RedisOptions Configure(IRedisDeployment server, Action<RedisOptions>? configure)
    {
        var options = new RedisOptions
        {
            Configuration = server.ConnectionString,
            KeyPrefix = $"test:{Guid.NewGuid():N}:",
        };
        configure?.Invoke(options);
        return options;
    }
}
