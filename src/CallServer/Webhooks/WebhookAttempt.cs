namespace CallServer.Webhooks;

/// <summary>What one attempt came to.</summary>
public enum WebhookAttemptOutcome
{
    /// <summary>2xx: the receiver has it.</summary>
    Delivered,

    /// <summary>Timeout, a network error, 5xx, 408 or 429: worth another attempt.</summary>
    Retry,

    /// <summary>Any other answer (4xx, an unfollowed redirect): the receiver will not take it; never retried.</summary>
    Refused,
}

/// <summary>One attempt's outcome, the status when there was an answer, why, and the wait the receiver asked for.</summary>
public sealed record WebhookAttempt(WebhookAttemptOutcome Outcome, int? StatusCode, string Reason, TimeSpan? RetryAfter = null)
{
    /// <summary>The outcome of an HTTP answer.</summary>
    public static WebhookAttempt Of(int statusCode, TimeSpan? retryAfter) => statusCode switch
    {
        >= 200 and < 300 => new(WebhookAttemptOutcome.Delivered, statusCode, "OK"),
        >= 500 or 429 or 408 => new(WebhookAttemptOutcome.Retry, statusCode, $"HTTP {statusCode}", retryAfter),
        _ => new(WebhookAttemptOutcome.Refused, statusCode, $"HTTP {statusCode}"),
    };
}
