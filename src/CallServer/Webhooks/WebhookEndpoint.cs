using CallServer.Configuration;
using StandardWebhooks;

namespace CallServer.Webhooks;

/// <summary>
/// One configured receiver (<c>Webhooks:Endpoints:N</c>): where events go, which types it wants, and its
/// Standard Webhooks signer. <see cref="Key"/> is how its queue, logs and metrics name it; never its secret.
/// </summary>
public sealed class WebhookEndpoint
{
    private readonly HashSet<string> events;
    private readonly StandardWebhook signer;

    private WebhookEndpoint(int index, string key, Uri url, byte[] secret, IEnumerable<string> events)
    {
        Index = index;
        Key = key;
        Url = url;
        signer = new StandardWebhook(secret);
        this.events = new HashSet<string>(events, StringComparer.Ordinal);
    }

    public int Index { get; }

    /// <summary>Its stable name (<see cref="WebhookEndpointKey"/>): its queue, metrics and logs go by it.</summary>
    public string Key { get; }

    /// <summary>Its own queue in the outbox: the events it wants, copied there from <see cref="Outbox.OutboxTopic.Webhooks"/> (<see cref="WebhookFanOut"/>).</summary>
    public string Topic => Outbox.OutboxTopic.Webhooks + "." + Key;

    public Uri Url { get; }

    /// <summary>How logs name it: the index and the URL without its query (which may carry a token).</summary>
    public string Name => $"{Key} ({Url.GetLeftPart(UriPartial.Path)})";

    /// <summary>The endpoints of validated options (see <see cref="WebhooksOptionsValidator"/>).</summary>
    public static IReadOnlyList<WebhookEndpoint> From(WebhooksOptions options) =>
        [.. options.Endpoints.Select((endpoint, index) => new WebhookEndpoint(
            index,
            WebhookEndpointKey.Of(endpoint),
            new Uri(endpoint.Url, UriKind.Absolute),
            WebhooksOptionsValidator.SecretKey(endpoint.Secret) ?? throw new InvalidOperationException($"Webhooks:Endpoints:{index}:Secret is not a Standard Webhooks secret"),
            endpoint.Events))];

    /// <summary>Whether this endpoint takes events of <paramref name="type"/> (all when it named none).</summary>
    public bool Wants(string type) => events.Count == 0 || events.Contains(type);

    /// <summary>The <c>webhook-signature</c> of <paramref name="body"/> sent at <paramref name="sentAt"/>: <c>v1,</c> + base64 HMAC-SHA256 of <c>id.timestamp.body</c>.</summary>
    public string Sign(string webhookId, DateTimeOffset sentAt, string body) => signer.Sign(webhookId, sentAt, body);
}
