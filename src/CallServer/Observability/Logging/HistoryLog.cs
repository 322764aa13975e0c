namespace CallServer.Observability.Logging;

/// <summary>Call history (event ids 8001–8099, stable).</summary>
public static partial class HistoryLog
{
    [LoggerMessage(EventId = 8001, EventName = "HistoryEntryAdded", Level = LogLevel.Debug, Message = "Call {CallId}: added to the call history of {Account}")]
    public static partial void Added(ILogger logger, string callId, string account);

    [LoggerMessage(EventId = 8002, EventName = "HistoryEntryNotKept", Level = LogLevel.Debug, Message = "Call {CallId}: not added to the call history of {Account} ({Outcome})")]
    public static partial void NotKept(ILogger logger, string callId, string account, string outcome);

    [LoggerMessage(EventId = 8003, EventName = "HistoryRecordUnreadable", Level = LogLevel.Error, Message = "Call {CallId}: an unreadable call record was dropped from the history outbox")]
    public static partial void Unreadable(ILogger logger, Exception exception, string callId);

    [LoggerMessage(EventId = 8004, EventName = "HistoryOutboxFailing", Level = LogLevel.Warning, Message = "Call records cannot be taken from the history outbox: {Error}")]
    public static partial void OutboxFailing(ILogger logger, string error);

    [LoggerMessage(EventId = 8005, EventName = "HistoryWriteFailed", Level = LogLevel.Warning, Message = "Call {CallId}: the call history could not be written ({Error}); it is taken again later")]
    public static partial void WriteFailed(ILogger logger, string callId, string error);

    [LoggerMessage(EventId = 8006, EventName = "HistoryRetaken", Level = LogLevel.Warning, Message = "Call {CallId}: a call record that another worker took and did not finish is written again (delivery {Deliveries})")]
    public static partial void Retaken(ILogger logger, string callId, int deliveries);

    [LoggerMessage(EventId = 8007, EventName = "HistoryChangeNotSent", Level = LogLevel.Warning, Message = "Call {CallId}: CallHistoryChanged ({Change}) not sent to device {DeviceId} of {Account}: {Error}")]
    public static partial void ChangeNotSent(ILogger logger, string? callId, string change, string deviceId, string account, string error);

    [LoggerMessage(EventId = 8008, EventName = "HistoryEntryRemoved", Level = LogLevel.Information, Message = "Call {CallId}: removed from the call history of {Account} by its user")]
    public static partial void Removed(ILogger logger, string callId, string account);

    [LoggerMessage(EventId = 8009, EventName = "HistoryCleared", Level = LogLevel.Information, Message = "The call history of {Account} was cleared ({Why})")]
    public static partial void Cleared(ILogger logger, string account, string why);
}
