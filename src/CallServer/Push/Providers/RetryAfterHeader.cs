using System.Net.Http.Headers;

namespace CallServer.Push.Providers;

/// <summary>The wait a push service asked for in <c>retry-after</c> (seconds or a date), if it asked.</summary>
public static class RetryAfterHeader
{
    public static TimeSpan? From(HttpResponseHeaders? headers, DateTimeOffset now)
    {
        var retryAfter = headers?.RetryAfter;
        var wait = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - now : null);
        return wait is { } value && value < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
