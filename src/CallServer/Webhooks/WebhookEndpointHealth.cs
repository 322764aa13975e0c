namespace CallServer.Webhooks;

/// <summary>
/// Whether one receiver is failing (issue 20): since its first failed attempt after its last delivery, what the last
/// failure was, and whether that was said already. Told by <see cref="WebhookDelivery"/> of every attempt; read by the
/// receiver's pump, which warns once when the receiver has failed for longer than <c>Webhooks:FailingWarningAfter</c>
/// and says when it is back.
/// </summary>
public sealed class WebhookEndpointHealth(TimeProvider clock)
{
    private readonly Lock gate = new();
    private DateTimeOffset? failingSince;
    private string lastFailure = string.Empty;
    private bool warned;

    /// <summary>An event was delivered: the receiver works.</summary>
    public void Delivered()
    {
        lock (gate)
        {
            failingSince = null;
        }
    }

    /// <summary>An attempt failed (to be retried, or the event dropped) for <paramref name="reason"/>.</summary>
    public void Failed(string reason)
    {
        lock (gate)
        {
            failingSince ??= clock.GetUtcNow();
            lastFailure = reason;
        }
    }

    /// <summary>What the pump should say now: a warning, once, after <paramref name="warnAfter"/> of failing; that it is back, once after a warning.</summary>
    public WebhookEndpointHealthChange? Check(TimeSpan warnAfter)
    {
        lock (gate)
        {
            if (failingSince is { } since)
            {
                var failingFor = clock.GetUtcNow() - since;
                if (!warned && failingFor > warnAfter)
                {
                    warned = true;
                    return new WebhookEndpointHealthChange(Failing: true, failingFor, lastFailure);
                }

                return null;
            }

            if (warned)
            {
                warned = false;
                return new WebhookEndpointHealthChange(Failing: false, TimeSpan.Zero, string.Empty);
            }

            return null;
        }
    }
}

/// <summary>A receiver started failing for long (<see cref="Failing"/>, for <see cref="For"/>, last with <see cref="LastFailure"/>) or is back.</summary>
public sealed record WebhookEndpointHealthChange(bool Failing, TimeSpan For, string LastFailure);
