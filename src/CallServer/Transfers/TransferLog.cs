namespace CallServer.Transfers;

/// <summary>Transfers (event ids 9001–9099, stable). Never SDP or tokens.</summary>
public static partial class TransferLog
{
    [LoggerMessage(EventId = 9001, EventName = "TransferStarted", Level = LogLevel.Information, Message = "Call {CallId}: {Kind} transfer by {Transferor} to {Target} as call {NewCallId}")]
    public static partial void Started(ILogger logger, string callId, string kind, string transferor, string target, string newCallId);

    [LoggerMessage(EventId = 9002, EventName = "TransferAbandoned", Level = LogLevel.Information, Message = "Call {CallId}: the transfer's new call {NewCallId} is abandoned before it started ({Error})")]
    public static partial void Abandoned(ILogger logger, string callId, string newCallId, string error);

    [LoggerMessage(EventId = 9003, EventName = "TransferProgressApplied", Level = LogLevel.Debug, Message = "Call {CallId}: transfer call {NewCallId} progressed to {Progress}")]
    public static partial void ProgressApplied(ILogger logger, string callId, string newCallId, string progress);

    [LoggerMessage(EventId = 9004, EventName = "TransferProgressNotApplied", Level = LogLevel.Information, Message = "Call {CallId}: transfer progress of {NewCallId} not applied ({Error})")]
    public static partial void ProgressNotApplied(ILogger logger, string callId, string newCallId, string error);

    [LoggerMessage(EventId = 9005, EventName = "TransferProgressUnreadable", Level = LogLevel.Error, Message = "Call {CallId}: an unreadable transfer progress message was dropped")]
    public static partial void Unreadable(ILogger logger, Exception exception, string callId);

    [LoggerMessage(EventId = 9006, EventName = "TransferOutboxFailing", Level = LogLevel.Warning, Message = "Transfer progress cannot be taken from the outbox: {Error}")]
    public static partial void OutboxFailing(ILogger logger, string error);

    [LoggerMessage(EventId = 9007, EventName = "TransferProgressFailed", Level = LogLevel.Warning, Message = "Call {CallId}: transfer progress could not be applied ({Error}); it is taken again later")]
    public static partial void ProgressFailed(ILogger logger, string callId, string error);
}
