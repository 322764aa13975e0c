using System.Text.Json.Nodes;
using CallServer.Domain.Records;

namespace CallServer.Records;

/// <summary>The call record on the wire (webhook <c>call.ended</c>, the history outbox): camelCase, times in ISO 8601 UTC, durations in seconds.</summary>
public static class CallRecordJson
{
    public static JsonObject Write(CallRecord record) => new()
    {
        ["callId"] = record.CallId,
        ["caller"] = record.Caller.Value,
        ["callerDisplayName"] = record.CallerDisplayName,
        ["callerAnonymous"] = record.CallerAnonymous,
        ["callee"] = record.Callee.Value,
        ["answeredBy"] = record.AnsweredBy?.Value,
        ["forwardChain"] = new JsonArray([.. record.ForwardChain.Select(a => (JsonNode?)JsonValue.Create(a.Value))]),
        ["createdAt"] = record.CreatedAt.UtcDateTime,
        ["ringingAt"] = record.RingingAt?.UtcDateTime,
        ["answeredAt"] = record.AnsweredAt?.UtcDateTime,
        ["endedAt"] = record.EndedAt.UtcDateTime,
        ["durationSeconds"] = Math.Round(record.InCallDuration.TotalSeconds, 3),
        ["callerEnd"] = End(record.CallerEnd),
        ["calleeEnd"] = End(record.CalleeEnd),
        ["video"] = record.Video,
        ["holdSeconds"] = Math.Round(record.TimeOnHold.TotalSeconds, 3),
        ["offered"] = record.Offered,
    };

    private static JsonObject End(CallRecordEnd end) => new() { ["reason"] = end.Reason.ToString(), ["statusCode"] = end.StatusCode };
}
