namespace CallServer.Configuration;

/// <summary>One receiver of webhooks (<c>Webhooks:Endpoints:N:*</c>).</summary>
public sealed class WebhookEndpointOptions
{
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
}
