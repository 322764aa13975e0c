using System.Text.Json;
using System.Text.Json.Serialization;
using CallServer.Domain.Calls;
using CallServer.Domain.Notifications;
using CallServer.Domain.Ports;

namespace CallServer.Push;

/// <summary>
/// A push decided with a call change, as written to the outbox (topic <see cref="Topic"/>): which account
/// to push to and the message, so that whichever node sends it needs nothing else.
/// </summary>
public sealed record PushJob
{
    public const string Topic = "push";

    public required string Kind { get; init; }

    public required string Account { get; init; }

    public required string CallId { get; init; }

    public string? From { get; init; }

    public string? DisplayName { get; init; }

    public bool Video { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The outbox message of a decided wake request on <paramref name="call"/> (the call after the change).</summary>
    public static OutboxMessage ToOutbox(Call call, WakeRequest wake, DateTimeOffset now, TimeSpan ringTimeout)
    {
        var job = wake switch
        {
            WakeAccount w => new PushJob
            {
                Kind = "incomingCall",
                Account = w.Account.Value,
                CallId = call.CallId,
                From = call.Caller.Address.Value,
                DisplayName = call.Caller.DisplayName,
                Video = call.Caller.SendsVideo,
                ExpiresAt = w.RingsUntil,
            },
            StopWaking s => new PushJob
            {
                Kind = "callCanceled",
                Account = s.Account.Value,
                CallId = call.CallId,
                Reason = s.Reason,
                // The phone may still be ringing until its incoming-call push expires: try as long.
                ExpiresAt = now + ringTimeout,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(wake), wake, "an unknown wake request"),
        };
        return new OutboxMessage(Topic, call.CallId, JsonSerializer.Serialize(job, PushJobJsonContext.Default.PushJob));
    }

    /// <summary>The job of an outbox payload; throws <see cref="JsonException"/> for one that is not.</summary>
    public static PushJob Parse(string payload) =>
        JsonSerializer.Deserialize(payload, PushJobJsonContext.Default.PushJob) ?? throw new JsonException("a push job is null");

    /// <summary>What the push services are told.</summary>
    public PushMessage ToMessage() => Kind switch
    {
        "incomingCall" => new IncomingCallPush(CallId, From ?? string.Empty, DisplayName, Video, ExpiresAt),
        "callCanceled" => new CallCanceledPush(CallId, Reason ?? nameof(EndReason.Canceled), ExpiresAt),
        _ => throw new JsonException($"an unknown push kind '{Kind}'"),
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PushJob))]
internal sealed partial class PushJobJsonContext : JsonSerializerContext;
