namespace CallServer.Observability.Logging;

/// <summary>
/// Webhook delivery (event ids 7001–7099, stable). Endpoints are named by their index and URL without its
/// query; never a secret, a signature or a body.
/// </summary>
public static partial class WebhookLog
{
    [LoggerMessage(EventId = 7001, EventName = "WebhookDelivered", Level = LogLevel.Debug, Message = "Call {CallId}: webhook {Type} {WebhookId} delivered to endpoint {Endpoint} (attempt {Attempt}, HTTP {StatusCode})")]
    public static partial void Delivered(ILogger logger, string callId, string type, string webhookId, string endpoint, int attempt, int? statusCode);

    [LoggerMessage(EventId = 7002, EventName = "WebhookRetrying", Level = LogLevel.Information, Message = "Call {CallId}: webhook {Type} {WebhookId} to endpoint {Endpoint}: attempt {Attempt} failed ({Reason}); next attempt in {WaitMilliseconds} ms")]
    public static partial void Retrying(ILogger logger, string callId, string type, string webhookId, string endpoint, int attempt, string reason, long waitMilliseconds);

    [LoggerMessage(EventId = 7003, EventName = "WebhookDropped", Level = LogLevel.Warning, Message = "Call {CallId}: webhook {Type} {WebhookId} dropped for endpoint {Endpoint} after {Attempts} attempts: {Reason}")]
    public static partial void Dropped(ILogger logger, string callId, string type, string webhookId, string endpoint, int attempts, string reason);

    [LoggerMessage(EventId = 7004, EventName = "WebhookRefused", Level = LogLevel.Warning, Message = "Call {CallId}: endpoint {Endpoint} refused webhook {Type} {WebhookId} with HTTP {StatusCode}; dropped, not retried")]
    public static partial void Refused(ILogger logger, string callId, string endpoint, string type, string webhookId, int? statusCode);

    [LoggerMessage(EventId = 7005, EventName = "WebhookEventUnreadable", Level = LogLevel.Error, Message = "Call {CallId}: an unreadable webhook event was dropped")]
    public static partial void Unreadable(ILogger logger, Exception exception, string callId);

    [LoggerMessage(EventId = 7006, EventName = "WebhookRetaken", Level = LogLevel.Information, Message = "Call {CallId}: webhook {Type} {WebhookId}, taken before and not finished (a node stopped), is delivered again (delivery {Deliveries})")]
    public static partial void Retaken(ILogger logger, string callId, string type, string webhookId, int deliveries);

    [LoggerMessage(EventId = 7007, EventName = "WebhookAttemptFailed", Level = LogLevel.Error, Message = "Call {CallId}: an attempt to deliver webhook {Type} {WebhookId} to endpoint {Endpoint} failed unexpectedly")]
    public static partial void AttemptFailed(ILogger logger, Exception exception, string callId, string type, string webhookId, string endpoint);

    [LoggerMessage(EventId = 7020, EventName = "WebhooksLeaderTaken", Level = LogLevel.Information, Message = "Node {NodeId} delivers the webhooks now")]
    public static partial void LeaderTaken(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 7021, EventName = "WebhooksLeaderLost", Level = LogLevel.Warning, Message = "Node {NodeId} no longer holds the webhooks lease ({Reason}); it stops delivering")]
    public static partial void LeaderLost(ILogger logger, string nodeId, string reason);

    [LoggerMessage(EventId = 7022, EventName = "WebhooksLeaderLeft", Level = LogLevel.Information, Message = "Node {NodeId} stopped delivering the webhooks")]
    public static partial void LeaderLeft(ILogger logger, string nodeId);

    [LoggerMessage(EventId = 7023, EventName = "WebhooksOutboxFailing", Level = LogLevel.Warning, Message = "Webhook events cannot be taken, kept or acknowledged in the outbox: {Error}")]
    public static partial void OutboxFailing(ILogger logger, string error);

    [LoggerMessage(EventId = 7024, EventName = "WebhooksLeaseFailing", Level = LogLevel.Warning, Message = "Node {NodeId} cannot reach the webhooks lease: {Error}")]
    public static partial void LeaseFailing(ILogger logger, string nodeId, string error);

    [LoggerMessage(EventId = 7025, EventName = "WebhookLaneFailed", Level = LogLevel.Error, Message = "Call {CallId}: delivering {Type} ({WebhookId}) failed unexpectedly; given up, the call's next events go on")]
    public static partial void LaneFailed(ILogger logger, Exception exception, string callId, string type, string webhookId);

    [LoggerMessage(EventId = 7026, EventName = "WebhookEndpointFailing", Level = LogLevel.Warning, Message = "Webhook endpoint {Endpoint} has failed for {FailingSeconds} s ({InFlight} events in progress; last: {LastFailure}); its events wait in its own queue, the other endpoints are not held back")]
    public static partial void EndpointFailing(ILogger logger, string endpoint, long failingSeconds, int inFlight, string lastFailure);

    [LoggerMessage(EventId = 7027, EventName = "WebhookEndpointRecovered", Level = LogLevel.Information, Message = "Webhook endpoint {Endpoint} takes events again")]
    public static partial void EndpointRecovered(ILogger logger, string endpoint);
}
