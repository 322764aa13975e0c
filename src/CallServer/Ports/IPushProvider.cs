namespace CallServer.Ports;

/// <summary>
/// One push service (APNs, FCM, Web Push). Sends one push to one registration and reports what the
/// service answered; it never throws for what the service answers or for a network failure (those are
/// outcomes), only when the <c>cancellationToken</c> of <see cref="SendAsync"/> is cancelled.
/// </summary>
public interface IPushProvider
{
    PushPlatform Platform { get; }

    /// <summary>False when its <c>Push:*</c> section lacks credentials: registrations of this platform are refused.</summary>
    bool IsConfigured { get; }

    Task<PushOutcome> SendAsync(PushRegistration registration, PushMessage message, CancellationToken cancellationToken);
}
