using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CallServer.Webhooks;

/// <summary>
/// One webhook event as the outbox carries it (<see cref="Records.CallOutbox.WebhookEvent"/>): its
/// <c>webhook-id</c>, type, time, call, and the HTTP body (<c>{ "type", "timestamp", "data" }</c>, without the id).
/// </summary>
public sealed record WebhookEvent(string Id, string Type, DateTimeOffset Timestamp, string CallId, string Body)
{
    /// <summary>Reads an outbox payload; <see cref="JsonException"/> when it is not a webhook event.</summary>
    public static WebhookEvent Parse(string payload, string callId)
    {
        var message = JsonNode.Parse(payload) as JsonObject ?? throw new JsonException("a webhook event is a JSON object");
        var id = Text(message, "id");
        var type = Text(message, "type");
        if (!DateTimeOffset.TryParse(Text(message, "timestamp"), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var timestamp))
        {
            throw new JsonException("a webhook event's timestamp is an ISO 8601 time");
        }

        message.Remove("id");
        return new WebhookEvent(id, type, timestamp, callId, message.ToJsonString());
    }

    private static string Text(JsonObject message, string property) =>
        message[property] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0
            ? text
            : throw new JsonException($"a webhook event has a \"{property}\"");
}
