namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>A Redis the tests started (one server, or a cluster), as a connection string.</summary>
public interface IRedisDeployment
{
    /// <summary>A StackExchange.Redis connection string that fails fast while Redis is away.</summary>
    string ConnectionString { get; }
}
