using CallServer.Ports;

namespace CallServer.Observability.Logging;

/// <summary>
/// The push providers (event ids 6001–6049, stable). Never logs a device token, a subscription
/// endpoint, a key, a provider or access token, or a payload: only call ids, registration ids
/// (chosen by the app), platforms, statuses and the services' reason codes.
/// </summary>
public static partial class PushLog
{
    [LoggerMessage(EventId = 6001, EventName = "PushProviderConfigured", Level = LogLevel.Information, Message = "{Platform} push is configured ({Endpoint})")]
    public static partial void ProviderConfigured(ILogger logger, PushPlatform platform, string endpoint);

    [LoggerMessage(EventId = 6002, EventName = "PushProviderNotConfigured", Level = LogLevel.Information, Message = "{Platform} push is not configured: registrations of it are refused")]
    public static partial void ProviderNotConfigured(ILogger logger, PushPlatform platform);

    [LoggerMessage(EventId = 6003, EventName = "WebPushEphemeralKeys", Level = LogLevel.Warning,
        Message = "Push:WebPush has no VAPID keys: using keys made for this process only. Browsers' push subscriptions stop working when it restarts, and the nodes of a cluster do not share them: configure Push:WebPush:PublicKey and PrivateKey")]
    public static partial void WebPushEphemeralKeys(ILogger logger);

    [LoggerMessage(EventId = 6004, EventName = "ApnsProviderTokenIssued", Level = LogLevel.Debug, Message = "APNs provider token issued (key {KeyId})")]
    public static partial void ApnsProviderTokenIssued(ILogger logger, string keyId);

    [LoggerMessage(EventId = 6005, EventName = "ApnsProviderTokenExpired", Level = LogLevel.Warning, Message = "APNs said the provider token has expired; a new one is made (is this machine's clock right?)")]
    public static partial void ApnsProviderTokenExpired(ILogger logger);

    [LoggerMessage(EventId = 6010, EventName = "PushDelivered", Level = LogLevel.Debug, Message = "Call {CallId}: {Platform} push {Type} accepted for registration {RegistrationId} ({StatusCode})")]
    public static partial void Delivered(ILogger logger, string callId, PushPlatform platform, string type, string registrationId, int? statusCode);

    [LoggerMessage(EventId = 6011, EventName = "PushRegistrationGone", Level = LogLevel.Information, Message = "Call {CallId}: {Platform} registration {RegistrationId} is gone ({StatusCode} {Reason})")]
    public static partial void RegistrationGone(ILogger logger, string callId, PushPlatform platform, string registrationId, int? statusCode, string? reason);

    [LoggerMessage(EventId = 6012, EventName = "PushToRetry", Level = LogLevel.Warning, Message = "Call {CallId}: {Platform} push {Type} for registration {RegistrationId} to be retried ({StatusCode} {Reason}, retry after {RetryAfter})")]
    public static partial void ToRetry(ILogger logger, string callId, PushPlatform platform, string type, string registrationId, int? statusCode, string? reason, TimeSpan? retryAfter);

    [LoggerMessage(EventId = 6013, EventName = "PushFailed", Level = LogLevel.Warning, Message = "Call {CallId}: {Platform} push {Type} for registration {RegistrationId} refused ({StatusCode} {Reason})")]
    public static partial void Failed(ILogger logger, string callId, PushPlatform platform, string type, string registrationId, int? statusCode, string? reason);

    /// <summary>Logs one push's outcome at the level it deserves.</summary>
    public static PushOutcome Outcome(ILogger logger, PushRegistration registration, PushMessage message, PushOutcome outcome)
    {
        switch (outcome.Kind)
        {
            case PushOutcomeKind.Delivered:
                Delivered(logger, message.CallId, registration.Platform, message.Type, registration.RegistrationId, outcome.StatusCode);
                break;
            case PushOutcomeKind.RegistrationGone:
                RegistrationGone(logger, message.CallId, registration.Platform, registration.RegistrationId, outcome.StatusCode, outcome.Reason);
                break;
            case PushOutcomeKind.Retry:
                ToRetry(logger, message.CallId, registration.Platform, message.Type, registration.RegistrationId, outcome.StatusCode, outcome.Reason, outcome.RetryAfter);
                break;
            default:
                Failed(logger, message.CallId, registration.Platform, message.Type, registration.RegistrationId, outcome.StatusCode, outcome.Reason);
                break;
        }

        return outcome;
    }
}
