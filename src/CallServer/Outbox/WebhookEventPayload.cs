using System.Text.Json.Serialization;

namespace CallServer.Outbox;

/// <summary>
/// A message of the topic <see cref="OutboxTopic.Webhooks"/>: <c>{ "id", "type", "timestamp", "data" }</c>.
/// The id (the call, its version and the type) is the Standard Webhooks <c>webhook-id</c>, the same on every
/// retry; the rest is the HTTP body (<see cref="WebhookBody"/>).
/// </summary>
public sealed record WebhookEventPayload
{
    public required string Id { get; init; }

    public required string Type { get; init; }

    public required DateTime Timestamp { get; init; }

    public required WebhookCallData Data { get; init; }

    /// <summary>The body a receiver gets: the event without its id (that goes in the <c>webhook-id</c> header).</summary>
    public WebhookBody Body() => new() { Type = Type, Timestamp = Timestamp, Data = Data };
}

/// <summary>The HTTP body of a webhook: <c>{ "type", "timestamp", "data" }</c>.</summary>
public sealed record WebhookBody
{
    public required string Type { get; init; }

    public required DateTime Timestamp { get; init; }

    public required WebhookCallData Data { get; init; }
}

/// <summary><c>data</c> of a webhook event: the call, its parties, its overall state, and at <c>call.ended</c> its record.</summary>
public sealed record WebhookCallData
{
    public required string CallId { get; init; }

    public required string Caller { get; init; }

    public required string Callee { get; init; }

    public required string State { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CallRecordPayload? Record { get; init; }
}
