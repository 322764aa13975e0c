using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallServer.Outbox;

/// <summary>
/// The payloads of every outbox topic on one source-generated JSON context (web defaults: camelCase).
/// Reading throws <see cref="JsonException"/> for a payload that is not of its topic.
/// </summary>
public static class OutboxJson
{
    public static string Write(PushJob job) => JsonSerializer.Serialize(job, OutboxJsonContext.Default.PushJob);

    public static string Write(WebhookEventPayload webhook) => JsonSerializer.Serialize(webhook, OutboxJsonContext.Default.WebhookEventPayload);

    public static string Write(WebhookBody body) => JsonSerializer.Serialize(body, OutboxJsonContext.Default.WebhookBody);

    public static string Write(HistoryPayload history) => JsonSerializer.Serialize(history, OutboxJsonContext.Default.HistoryPayload);

    public static string Write(TransferProgressPayload progress) => JsonSerializer.Serialize(progress, OutboxJsonContext.Default.TransferProgressPayload);

    public static TransferProgressPayload ReadTransferProgress(string payload) => Read(payload, OutboxJsonContext.Default.TransferProgressPayload);

    public static PushJob ReadPush(string payload) => Read(payload, OutboxJsonContext.Default.PushJob);

    public static WebhookEventPayload ReadWebhook(string payload) => Read(payload, OutboxJsonContext.Default.WebhookEventPayload);

    public static HistoryPayload ReadHistory(string payload) => Read(payload, OutboxJsonContext.Default.HistoryPayload);

    /// <summary>A payload's time (written in UTC, <c>…Z</c>) as the instant it is.</summary>
    public static DateTimeOffset Instant(DateTime time) => new(DateTime.SpecifyKind(time.ToUniversalTime(), DateTimeKind.Utc));

    private static T Read<T>(string payload, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize(payload, type) ?? throw new JsonException($"a {typeof(T).Name} is null");
        }
        catch (Exception wrongKind) when (wrongKind is InvalidOperationException or FormatException or OverflowException or ArgumentException)
        {
            throw new JsonException($"a {typeof(T).Name} field is not of its kind: {wrongKind.Message}", wrongKind);
        }
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PushJob))]
[JsonSerializable(typeof(WebhookEventPayload))]
[JsonSerializable(typeof(WebhookBody))]
[JsonSerializable(typeof(HistoryPayload))]
[JsonSerializable(typeof(TransferProgressPayload))]
internal sealed partial class OutboxJsonContext : JsonSerializerContext;
