namespace CallServer.Configuration;

/// <summary><c>Redis:*</c>: where calls live when many nodes share them.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis connection string; empty runs one node with the in-memory store.</summary>
    public string? Configuration { get; set; }

    /// <summary>Prefix of every key and channel, so that several deployments can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "callserver:";

    /// <summary>How often a node says it is alive.</summary>
    public TimeSpan NodeHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>A node silent for this long is dead: its connections stop counting and its calls start their grace.</summary>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claimed timer stays with its claimer before another node may claim it again.</summary>
    public TimeSpan TimerClaimLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The longest any request waits on one Redis operation. Past it the operation fails, the request
    /// answers <c>Unavailable</c> (or <c>/readyz</c> 503) and nothing changes. At most a few seconds.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// After a save that ends a call, wait (Redis <c>WAIT</c>) until this many replicas have it, at most
    /// <see cref="ReplicaWaitTimeout"/>, so that a failover right after cannot bring an ended call back. 0 (the
    /// default): no wait, for a Redis without replicas. With Sentinel or a cluster with replicas: 1.
    /// </summary>
    public int ReplicasToAcknowledgeEnd { get; set; }

    /// <summary>The longest a save that ends a call waits for <see cref="ReplicasToAcknowledgeEnd"/> (then it goes on, logged).</summary>
    public TimeSpan ReplicaWaitTimeout { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>How long connecting (and reconnecting) to Redis may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// On a Redis Cluster, how often a node looks for active-call index messages other nodes left (a node that
    /// died between a save and its index update); a node's own are worked at once.
    /// </summary>
    public TimeSpan IndexPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>After how long an index message taken by a node that did not finish it is taken by another.</summary>
    public TimeSpan IndexClaimAfter { get; set; } = TimeSpan.FromSeconds(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(Configuration);
}
