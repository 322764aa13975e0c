using System.Text.Json;
using CallServer.Outbox;

namespace CallServer.Webhooks;

/// <summary>
/// One webhook event as delivered: its <c>webhook-id</c>, type, time, call, and the HTTP body
/// (<see cref="WebhookBody"/>: the outbox's <see cref="WebhookEventPayload"/> without the id).
/// </summary>
public sealed record WebhookEvent(string Id, string Type, DateTimeOffset Timestamp, string CallId, string Body)
{
    /// <summary>Reads an outbox payload; <see cref="JsonException"/> when it is not a webhook event.</summary>
    public static WebhookEvent Parse(string payload, string callId)
    {
        var webhook = OutboxJson.ReadWebhook(payload);
        if (string.IsNullOrEmpty(webhook.Id) || string.IsNullOrEmpty(webhook.Type) || webhook.Data is null)
        {
            throw new JsonException("a webhook event has an \"id\", a \"type\" and \"data\"");
        }

        return new WebhookEvent(webhook.Id, webhook.Type, OutboxJson.Instant(webhook.Timestamp), callId, OutboxJson.Write(webhook.Body()));
    }
}
