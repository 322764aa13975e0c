namespace CallServer.Ports;

/// <summary>What a push service made of one push.</summary>
public enum PushOutcomeKind
{
    /// <summary>Accepted (2xx).</summary>
    Delivered,

    /// <summary>The token or subscription is no longer valid (APNs 410 / BadDeviceToken, FCM UNREGISTERED, Web Push 404/410): delete the registration.</summary>
    RegistrationGone,

    /// <summary>Try again later (429, 5xx, a timeout or a connection failure), after <see cref="PushOutcome.RetryAfter"/> if the service said.</summary>
    Retry,

    /// <summary>Refused for another reason (a bad request, bad credentials): not retried.</summary>
    Failed,
}

/// <summary>The outcome of one push, with the service's status and reason for logs and metrics.</summary>
public sealed record PushOutcome(PushOutcomeKind Kind, int? StatusCode = null, string? Reason = null, TimeSpan? RetryAfter = null)
{
    public static readonly PushOutcome Delivered = new(PushOutcomeKind.Delivered, 200);
}
