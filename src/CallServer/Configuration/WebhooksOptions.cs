namespace CallServer.Configuration;

/// <summary>One receiver of webhooks (<c>Webhooks:Endpoints:N:*</c>).</summary>
public sealed class WebhookEndpointOptions
{
    /// <summary>
    /// The receiver's name in the outbox, logs and metrics (issue 20): 1–32 of <c>a-z 0-9 -</c>. Each receiver has its
    /// own queue under it, so keep it when the URL changes; when absent, a hash of the URL is used.
    /// </summary>
    public string? Id { get; set; }

    /// <summary>Where events are POSTed.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>The Standard Webhooks secret: <c>whsec_</c> + base64.</summary>
    public string Secret { get; set; } = string.Empty;

    /// <summary>The event types to send (<c>call.created</c>, …); all when empty.</summary>
    public List<string> Events { get; set; } = [];
}

/// <summary><c>Webhooks:*</c>: who hears of every call, and how hard delivery tries.</summary>
public sealed class WebhooksOptions
{
    public const string Section = "Webhooks";

    public List<WebhookEndpointOptions> Endpoints { get; set; } = [];

    /// <summary>The longest one delivery request may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per event and endpoint before it is dropped.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>The oldest an event may be and still be tried; older ones are dropped.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The wait before the second attempt; each later wait doubles (with jitter), up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two attempts (a receiver's <c>retry-after</c> is honoured even when longer).</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the node that delivers webhooks (the leader) holds the lease without renewing it; it renews
    /// every third of it. A node that dies is replaced within about this plus half of it (the claim period of
    /// the webhook events it had taken is half the lease).
    /// </summary>
    public TimeSpan LeaderLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the leader looks for events saved by other nodes (its own node's wake it at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Events the leader has in progress at most per receiver (taken from its queue and not yet delivered or dropped).</summary>
    public int MaxInFlight { get; set; } = 256;

    /// <summary>A receiver that has failed (no delivery, only retries and drops) for longer than this is logged as failing, once (issue 20).</summary>
    public TimeSpan FailingWarningAfter { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The claim period of the webhook events in the outbox: half the <see cref="LeaderLease"/>.</summary>
    public TimeSpan ClaimAfter => LeaderLease / 2;
}
