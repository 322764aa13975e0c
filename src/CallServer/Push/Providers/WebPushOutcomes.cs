using CallServer.Ports;

namespace CallServer.Push.Providers;

/// <summary>What a push service's answer means (RFC 8030 §5, §6.2, and the services' documented codes).</summary>
public static class WebPushOutcomes
{
    public static PushOutcome From(int status, TimeSpan? retryAfter) => status switch
    {
        >= 200 and < 300 => new PushOutcome(PushOutcomeKind.Delivered, status),
        404 or 410 => new PushOutcome(PushOutcomeKind.RegistrationGone, status, status == 404 ? "NotFound" : "Gone"),
        429 or >= 500 => new PushOutcome(PushOutcomeKind.Retry, status, status == 429 ? "TooManyRequests" : "ServerError", retryAfter),
        _ => new PushOutcome(PushOutcomeKind.Failed, status, $"HTTP {status}"),
    };
}
