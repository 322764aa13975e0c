namespace CallServer.Observability.Logging;

/// <summary>The timer pump (event ids 3000–3099, stable).</summary>
public static partial class TimerLog
{
    [LoggerMessage(EventId = 3001, EventName = "TimersFailing", Level = LogLevel.Warning, Message = "Timers cannot be claimed: {Error}")]
    public static partial void Failing(ILogger logger, string error);

    [LoggerMessage(EventId = 3002, EventName = "TimersFiringAgain", Level = LogLevel.Information, Message = "Timers are firing again")]
    public static partial void FiringAgain(ILogger logger);

    [LoggerMessage(EventId = 3003, EventName = "TimerClaimFailed", Level = LogLevel.Error, Message = "Claiming due timers failed; trying again next tick")]
    public static partial void ClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 3004, EventName = "TimerFailed", Level = LogLevel.Warning, Message = "Call {CallId}: {Kind} timer failed; retrying in a second")]
    public static partial void TimerFailed(ILogger logger, Exception exception, string callId, Domain.Calls.CallTimerKind kind);

    [LoggerMessage(EventId = 3005, EventName = "TimerNoEffect", Level = LogLevel.Debug, Message = "Call {CallId}: {Kind} timer did nothing: {Error}")]
    public static partial void TimerDidNothing(ILogger logger, string callId, Domain.Calls.CallTimerKind kind, string error);
}
