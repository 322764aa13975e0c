using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;

namespace CallServer.Webhooks;

/// <summary>
/// Delivers one event to one endpoint, trying again as <see cref="WebhookRetryPolicy"/> says, until it is
/// delivered (2xx) or dropped (refused, too many attempts, too old). Each attempt is counted
/// (<c>callserver.webhooks.deliveries</c>: delivered, retry, dropped); a drop is a warning with the call.
/// Returns true when delivered; only the caller's cancellation (the node stops delivering) interrupts it.
/// </summary>
public sealed class WebhookDelivery(
    WebhookSender sender,
    WebhookRetryPolicy retries,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger<WebhookDelivery> logger)
{
    /// <param name="endpoint">The receiver.</param>
    /// <param name="webhook">The event.</param>
    /// <param name="cancellationToken">The node stops delivering.</param>
    /// <param name="health">Told of every attempt's outcome (the receiver's pump warns when it fails for long).</param>
    public async Task<bool> DeliverAsync(WebhookEndpoint endpoint, WebhookEvent webhook, CancellationToken cancellationToken, WebhookEndpointHealth? health = null)
    {
        if (retries.TooOld(webhook, clock.GetUtcNow()) is { } tooOld)
        {
            Drop(endpoint, webhook, 0, tooOld);
            return false;
        }

        for (var attempt = 1; ; attempt++)
        {
            var result = await AttemptAsync(endpoint, webhook, cancellationToken);
            switch (result.Outcome)
            {
                case WebhookAttemptOutcome.Delivered:
                    health?.Delivered();
                    metrics.WebhookDelivery("delivered", webhook.Type, endpoint.Key);
                    metrics.WebhookDelivered(clock.GetUtcNow() - webhook.Timestamp);
                    WebhookLog.Delivered(logger, webhook.CallId, webhook.Type, webhook.Id, endpoint.Name, attempt, result.StatusCode);
                    return true;
                case WebhookAttemptOutcome.Refused:
                    health?.Failed(result.Reason);
                    WebhookLog.Refused(logger, webhook.CallId, endpoint.Name, webhook.Type, webhook.Id, result.StatusCode);
                    Drop(endpoint, webhook, attempt, result.Reason);
                    return false;
            }

            health?.Failed(result.Reason);
            var wait = retries.WaitAfter(attempt, result.RetryAfter);
            if (retries.GiveUp(webhook, attempt, wait, clock.GetUtcNow()) is { } reason)
            {
                Drop(endpoint, webhook, attempt, $"{result.Reason}; given up after {reason}");
                return false;
            }

            metrics.WebhookDelivery("retry", webhook.Type, endpoint.Key);
            WebhookLog.Retrying(logger, webhook.CallId, webhook.Type, webhook.Id, endpoint.Name, attempt, result.Reason, (long)wait.TotalMilliseconds);
            await Task.Delay(wait, clock, cancellationToken);
        }
    }

    private async Task<WebhookAttempt> AttemptAsync(WebhookEndpoint endpoint, WebhookEvent webhook, CancellationToken cancellationToken)
    {
        try
        {
            return await sender.SendAsync(endpoint, webhook, cancellationToken);
        }
        catch (Exception unexpected) when (unexpected is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            WebhookLog.AttemptFailed(logger, unexpected, webhook.CallId, webhook.Type, webhook.Id, endpoint.Name);
            return new WebhookAttempt(WebhookAttemptOutcome.Retry, null, unexpected.GetType().Name);
        }
    }

    private void Drop(WebhookEndpoint endpoint, WebhookEvent webhook, int attempts, string reason)
    {
        metrics.WebhookDelivery("dropped", webhook.Type, endpoint.Key);
        WebhookLog.Dropped(logger, webhook.CallId, webhook.Type, webhook.Id, endpoint.Name, attempts, reason);
    }
}
