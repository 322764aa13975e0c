using CallServer.Ports;

namespace CallServer.Observability.Logging;

/// <summary>Sending decided pushes (event ids 6050–6099, stable). Never tokens, keys or payloads.</summary>
public static partial class PushDispatchLog
{
    [LoggerMessage(EventId = 6050, EventName = "PushSent", Level = LogLevel.Information, Message = "Call {CallId}: {Kind} push to registration {RegistrationId} of {Account} ({Platform}): {Outcome} {StatusCode}")]
    public static partial void Sent(ILogger logger, string callId, string kind, string registrationId, string account, PushPlatform platform, string outcome, int? statusCode);

    [LoggerMessage(EventId = 6051, EventName = "PushRegistrationGone", Level = LogLevel.Information, Message = "Call {CallId}: the push service no longer knows registration {RegistrationId} of {Account}; deleted")]
    public static partial void RegistrationGone(ILogger logger, string callId, string registrationId, string account);

    [LoggerMessage(EventId = 6052, EventName = "PushGivenUp", Level = LogLevel.Warning, Message = "Call {CallId}: {Kind} push to registration {RegistrationId} given up after {Attempts} attempts ({Reason})")]
    public static partial void GivenUp(ILogger logger, string callId, string kind, string registrationId, int attempts, string reason);

    [LoggerMessage(EventId = 6053, EventName = "PushJobUnreadable", Level = LogLevel.Error, Message = "Call {CallId}: an unreadable push job was dropped")]
    public static partial void Unreadable(ILogger logger, Exception exception, string callId);

    [LoggerMessage(EventId = 6054, EventName = "PushOutboxFailing", Level = LogLevel.Warning, Message = "Pushes cannot be taken from the outbox: {Error}")]
    public static partial void OutboxFailing(ILogger logger, string error);

    [LoggerMessage(EventId = 6055, EventName = "PushRetaken", Level = LogLevel.Warning, Message = "Call {CallId}: a {Kind} push that another worker took and did not finish is sent again (delivery {Deliveries})")]
    public static partial void Retaken(ILogger logger, string callId, string kind, int deliveries);

    [LoggerMessage(EventId = 6057, EventName = "PushExpired", Level = LogLevel.Warning, Message = "Call {CallId}: a {Kind} push was taken after its ringing was over; not sent")]
    public static partial void Expired(ILogger logger, string callId, string kind);

    [LoggerMessage(EventId = 6056, EventName = "PushPlatformNotConfigured", Level = LogLevel.Warning, Message = "Call {CallId}: registration {RegistrationId} is for {Platform}, which has no credentials (Push:*); skipped")]
    public static partial void NotConfigured(ILogger logger, string callId, string registrationId, PushPlatform platform);
}
