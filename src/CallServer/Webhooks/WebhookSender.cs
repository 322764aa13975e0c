using System.Net.Http.Headers;
using System.Text;
using CallServer.Configuration;
using CallServer.Push.Providers;
using Microsoft.Extensions.Options;

namespace CallServer.Webhooks;

/// <summary>
/// Makes one signed attempt to deliver an event to an endpoint: a POST of the body with <c>webhook-id</c>,
/// <c>webhook-timestamp</c> (this attempt's time) and <c>webhook-signature</c>, bounded by
/// <c>Webhooks:Timeout</c> from sending to the answer's headers (the answer's body is not read). Never throws
/// but for the caller's cancellation.
/// </summary>
public sealed class WebhookSender(IHttpClientFactory clients, IOptions<WebhooksOptions> options, TimeProvider clock)
{
    /// <summary>The named HttpClient (no redirects, the webhooks user-agent).</summary>
    public const string ClientName = "webhooks";

    public const string UserAgentProduct = "CallServer-Webhooks/1";

    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public async Task<WebhookAttempt> SendAsync(WebhookEndpoint endpoint, WebhookEvent webhook, CancellationToken cancellationToken)
    {
        var sentAt = clock.GetUtcNow();
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
        {
            Content = new StringContent(webhook.Body, Encoding.UTF8, Json),
        };
        request.Headers.TryAddWithoutValidation("webhook-id", webhook.Id);
        request.Headers.TryAddWithoutValidation("webhook-timestamp", sentAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("webhook-signature", endpoint.Sign(webhook.Id, sentAt, webhook.Body));

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(options.Value.Timeout);
        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bounded.Token);
            return WebhookAttempt.Of((int)response.StatusCode, RetryAfterHeader.From(response.Headers, clock.GetUtcNow()));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new WebhookAttempt(WebhookAttemptOutcome.Retry, null, $"no answer within {options.Value.Timeout.TotalSeconds:0.###} s");
        }
        catch (HttpRequestException failed)
        {
            return new WebhookAttempt(WebhookAttemptOutcome.Retry, null, failed.HttpRequestError.ToString());
        }
    }
}
