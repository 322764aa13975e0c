using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
using CallServer.Outbox;
using CallServer.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Push;

/// <summary>
/// Sends one push job to every registration of its account, each through its platform's provider, with
/// retries (backoff, or the service's Retry-After) until the push expires; deletes registrations the
/// service no longer knows.
/// </summary>
public sealed class PushSender(
    IPushRegistrationStore registrations,
    IEnumerable<IPushProvider> providers,
    Domain.Ports.ICallStore calls,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger<PushSender> logger)
{
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(4);

    /// <summary>
    /// How long a missed-call push is tried again by this node: the push service keeps it a day once taken
    /// (its TTL), but one that keeps failing must not hold a push slot, which incoming calls need, for a day.
    /// </summary>
    public static readonly TimeSpan MissedCallRetryWindow = TimeSpan.FromMinutes(2);

    private readonly Dictionary<PushPlatform, IPushProvider> byPlatform = providers.ToDictionary(p => p.Platform);

    public async Task SendToAccountAsync(PushJob job, PushMessage message, CancellationToken cancellationToken)
    {
        if (!Address.TryParse(job.Account, "invalid", out var account))
        {
            return;
        }

        var targets = await registrations.ListAsync(account, cancellationToken);
        await Task.WhenAll(targets.Select(registration => SendAsync(registration, job, message, cancellationToken)));
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private async Task<bool> StillWakesAsync(PushJob job, CancellationToken cancellationToken) =>
        await calls.GetAsync(job.CallId, cancellationToken) is { IsRinging: true, WokenAccount: { } woken } && woken.Value == job.Account;

    private async Task SendAsync(PushRegistration registration, PushJob job, PushMessage message, CancellationToken cancellationToken)
    {
        var platform = registration.Platform.ToString().ToLowerInvariant();
        if (!byPlatform.TryGetValue(registration.Platform, out var provider) || !provider.IsConfigured)
        {
            PushDispatchLog.NotConfigured(logger, job.CallId, registration.RegistrationId, registration.Platform);
            metrics.PushSent(platform, job.Kind, "not_configured");
            return;
        }

        if (message is MissedCallPush && registration.Platform == PushPlatform.Apns && registration.AlertToken is null)
        {
            // Only an alert push can show a missed call on iOS, and this installation gave no alert token.
            metrics.PushSent(platform, job.Kind, "no_alert_token");
            return;
        }

        var backoff = FirstBackoff;
        var giveUpAt = message is MissedCallPush
            ? Min(message.ExpiresAt, clock.GetUtcNow() + MissedCallRetryWindow)
            : message.ExpiresAt;
        for (var attempt = 1; ; attempt++)
        {
            var outcome = await provider.SendAsync(registration, message, cancellationToken);
            PushDispatchLog.Sent(logger, job.CallId, job.Kind, registration.RegistrationId, job.Account, registration.Platform, outcome.Kind.ToString(), outcome.StatusCode);
            switch (outcome.Kind)
            {
                case PushOutcomeKind.Delivered:
                    metrics.PushSent(platform, job.Kind, "delivered");
                    return;
                case PushOutcomeKind.RegistrationGone when message is MissedCallPush && registration.Platform == PushPlatform.Apns:
                    // The alert token is gone, not the VoIP token the registration wakes the phone with: it stays.
                    metrics.PushSent(platform, job.Kind, "gone");
                    PushDispatchLog.GivenUp(logger, job.CallId, job.Kind, registration.RegistrationId, attempt, "APNs no longer knows the alert token");
                    return;
                case PushOutcomeKind.RegistrationGone:
                    metrics.PushSent(platform, job.Kind, "gone");
                    if (await registrations.DeleteIfUnchangedAsync(registration, cancellationToken))
                    {
                        PushDispatchLog.RegistrationGone(logger, job.CallId, registration.RegistrationId, job.Account);
                    }

                    return;
                case PushOutcomeKind.Failed:
                    metrics.PushSent(platform, job.Kind, "failed");
                    PushDispatchLog.GivenUp(logger, job.CallId, job.Kind, registration.RegistrationId, attempt, outcome.Reason ?? $"status {outcome.StatusCode}");
                    return;
            }

            metrics.PushSent(platform, job.Kind, "retry");
            var wait = outcome.RetryAfter is { } asked && asked > TimeSpan.Zero ? asked : backoff;
            if (clock.GetUtcNow() + wait >= giveUpAt)
            {
                metrics.PushSent(platform, job.Kind, "expired");
                PushDispatchLog.GivenUp(logger, job.CallId, job.Kind, registration.RegistrationId, attempt, "it expired before the service took it");
                return;
            }

            await Task.Delay(wait, clock, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));

            // An incoming-call push tried again must not reach the phone after its call stopped ringing there
            // (its cancel may have gone out meanwhile): the stored call says whether it still wakes the account.
            if (message is IncomingCallPush && !await StillWakesAsync(job, cancellationToken))
            {
                metrics.PushSent(platform, job.Kind, "stale");
                PushDispatchLog.GivenUp(logger, job.CallId, job.Kind, registration.RegistrationId, attempt, "the call no longer rings this account");
                return;
            }
        }
    }
}
