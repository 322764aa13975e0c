using CallServer.Configuration;
using Microsoft.Extensions.Options;

namespace CallServer.Webhooks;

/// <summary>
/// When to try an event again and when to give it up: waits double from <c>Webhooks:FirstRetryDelay</c> up to
/// <c>Webhooks:MaxRetryDelay</c>, each jittered down by up to half (receivers that come back are not hit by
/// every retry at once); a receiver's <c>retry-after</c> is the wait instead. An event is given up after
/// <c>Webhooks:MaxAttempts</c> attempts, or when the next attempt would come later than <c>Webhooks:MaxAge</c>
/// after the event.
/// </summary>
public sealed class WebhookRetryPolicy(IOptions<WebhooksOptions> options)
{
    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1 = the first).</summary>
    public TimeSpan WaitAfter(int attempt, TimeSpan? retryAfter)
    {
        var settings = options.Value;
        if (retryAfter is { } asked)
        {
            // The receiver's wish, within what this server waits at most (a year-long Retry-After would
            // otherwise hold the call's lane, and Task.Delay refuses waits past about 49 days).
            return asked < settings.MaxRetryDelay ? asked : settings.MaxRetryDelay;
        }

        var doubled = settings.FirstRetryDelay * Math.Pow(2, Math.Min(attempt - 1, 30));
        var wait = doubled < settings.MaxRetryDelay ? doubled : settings.MaxRetryDelay;
        return wait * (0.5 + (Random.Shared.NextDouble() * 0.5));
    }

    /// <summary>Why the event is given up rather than tried again after <paramref name="wait"/>; null to try again.</summary>
    public string? GiveUp(WebhookEvent webhook, int attemptsMade, TimeSpan wait, DateTimeOffset now)
    {
        var settings = options.Value;
        if (attemptsMade >= settings.MaxAttempts)
        {
            return $"{attemptsMade} attempts (Webhooks:MaxAttempts)";
        }

        return now + wait - webhook.Timestamp > settings.MaxAge
            ? $"older than {settings.MaxAge} at the next attempt (Webhooks:MaxAge)"
            : null;
    }

    /// <summary>Why the event is given up before its first attempt (it waited past MaxAge); null to try it.</summary>
    public string? TooOld(WebhookEvent webhook, DateTimeOffset now) =>
        now - webhook.Timestamp > options.Value.MaxAge ? $"older than {options.Value.MaxAge} (Webhooks:MaxAge)" : null;
}
