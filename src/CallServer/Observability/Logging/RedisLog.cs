using StackExchange.Redis;

namespace CallServer.Observability.Logging;

/// <summary>What an operator alerts on about Redis (event ids 1000–1099, stable).</summary>
public static partial class RedisLog
{
    [LoggerMessage(EventId = 1001, EventName = "RedisConnectionLost", Level = LogLevel.Warning, Message = "Redis connection lost ({FailureType}) to {Endpoint}")]
    public static partial void ConnectionLost(ILogger logger, ConnectionFailureType failureType, string? endpoint);

    [LoggerMessage(EventId = 1002, EventName = "RedisConnectionRestored", Level = LogLevel.Information, Message = "Redis connection restored to {Endpoint}")]
    public static partial void ConnectionRestored(ILogger logger, string? endpoint);

    [LoggerMessage(EventId = 1003, EventName = "StoreUnavailable", Level = LogLevel.Warning, Message = "The store did not answer within {TimeoutMs} ms ({Error}); requests answer Unavailable until it does")]
    public static partial void StoreUnavailable(ILogger logger, double timeoutMs, string error);

    [LoggerMessage(EventId = 1004, EventName = "StoreAvailable", Level = LogLevel.Information, Message = "The store answers again")]
    public static partial void StoreAvailable(ILogger logger);

    [LoggerMessage(EventId = 1005, EventName = "ChannelNotSubscribed", Level = LogLevel.Warning, Message = "Cannot subscribe to {Channel} yet: {Error}")]
    public static partial void ChannelNotSubscribed(ILogger logger, string channel, string error);

    [LoggerMessage(EventId = 1006, EventName = "ChannelSubscribed", Level = LogLevel.Information, Message = "Listening on {Channel}")]
    public static partial void ChannelSubscribed(ILogger logger, string channel);

    [LoggerMessage(EventId = 1007, EventName = "CrossNodeDeliveryFailed", Level = LogLevel.Warning, Message = "Could not deliver a cross-node event on node {NodeId}")]
    public static partial void CrossNodeDeliveryFailed(ILogger logger, Exception exception, string nodeId);

    [LoggerMessage(EventId = 1008, EventName = "StoredRecordUnreadable", Level = LogLevel.Error, Message = "A stored record cannot be read by this node and was refused: {Reason}")]
    public static partial void StoredRecordUnreadable(ILogger logger, string reason);

    [LoggerMessage(EventId = 1009, EventName = "IndexOutboxFailing", Level = LogLevel.Warning, Message = "The active-call index messages cannot be read: {Error}")]
    public static partial void IndexOutboxFailing(ILogger logger, string error);

    [LoggerMessage(EventId = 1010, EventName = "IndexUpdateFailed", Level = LogLevel.Warning, Message = "Call {CallId}: its accounts' active-call indexes were not updated, tried again later: {Error}")]
    public static partial void IndexUpdateFailed(ILogger logger, string callId, string error);

    [LoggerMessage(EventId = 1011, EventName = "LayoutMigrated", Level = LogLevel.Information, Message = "Redis data moved from key layout {From} to {To}: {Calls} calls, {Timers} timers, {OutboxEntries} outbox entries, {AccountKeys} account keys")]
    public static partial void LayoutMigrated(ILogger logger, int from, int to, int calls, int timers, int outboxEntries, int accountKeys);

    [LoggerMessage(EventId = 1012, EventName = "LayoutMigrationWaiting", Level = LogLevel.Information, Message = "Another node is moving the Redis data to key layout {To}; waiting")]
    public static partial void LayoutMigrationWaiting(ILogger logger, int to);

    [LoggerMessage(EventId = 1014, EventName = "EndNotReplicated", Level = LogLevel.Warning, Message = "Call {CallId}: its end reached {Acknowledged} of {Wanted} replicas within {TimeoutMs} ms; a failover now could bring it back in progress")]
    public static partial void EndNotReplicated(ILogger logger, string callId, long acknowledged, int wanted, long timeoutMs);

    [LoggerMessage(EventId = 1013, EventName = "LayoutNewer", Level = LogLevel.Critical, Message = "The Redis data is in key layout {Found}, newer than this node's {Known}: this node refuses to start")]
    public static partial void LayoutNewer(ILogger logger, int found, int known);
}
