using System.Text.Json.Nodes;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Domain.Records;
using CallServer.Domain.Views;

namespace CallServer.Records;

/// <summary>
/// What a saved change sends out besides its events, written with the save (the outbox): one
/// <see cref="WebhooksTopic"/> message per lifecycle event when webhooks are configured, and the call
/// record on <see cref="HistoryTopic"/> when the call ended.
/// </summary>
public static class CallOutbox
{
    public const string WebhooksTopic = "webhooks";
    public const string HistoryTopic = "history";

    public static IEnumerable<OutboxMessage> For(Call? before, Call after, DateTimeOffset now, bool webhooks)
    {
        if (webhooks)
        {
            foreach (var lifecycle in CallLifecycle.Between(before, after, now))
            {
                yield return new OutboxMessage(WebhooksTopic, after.CallId, WebhookEvent(after, lifecycle).ToJsonString());
            }
        }

        if (after.Phase == CallPhase.Ended && before?.Phase != CallPhase.Ended)
        {
            var record = CallRecordJson.Write(CallRecord.Of(after));
            record["callerAccount"] = after.Caller.Account.Value;
            yield return new OutboxMessage(HistoryTopic, after.CallId, record.ToJsonString());
        }
    }

    /// <summary>
    /// <c>{ "id", "type", "timestamp", "data": { "callId", "caller", "callee", "state", "record"? } }</c>: the id
    /// (the call, its version and the type) is the Standard Webhooks <c>webhook-id</c>, the same on every
    /// retry; the rest is the body.
    /// </summary>
    public static JsonObject WebhookEvent(Call call, CallLifecycleEvent lifecycle)
    {
        var data = new JsonObject
        {
            ["callId"] = call.CallId,
            ["caller"] = call.Caller.Address.Value,
            ["callee"] = call.Callee.Address.Value,
            ["state"] = CallProjection.OverallState(call).ToString(),
        };
        if (lifecycle.Type == CallEventTypes.Ended)
        {
            data["record"] = CallRecordJson.Write(CallRecord.Of(call));
        }

        return new JsonObject
        {
            ["id"] = $"msg_{call.CallId}_{call.Version}_{lifecycle.Type}",
            ["type"] = lifecycle.Type,
            ["timestamp"] = lifecycle.At.UtcDateTime,
            ["data"] = data,
        };
    }
}
