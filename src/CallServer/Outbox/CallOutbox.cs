using CallServer.Domain.Calls;
using CallServer.Domain.Decisions;
using CallServer.Domain.Ports;
using CallServer.Domain.Records;
using CallServer.Domain.Views;

namespace CallServer.Outbox;

/// <summary>What a node's settings say about the outbox messages of a change.</summary>
/// <param name="RingTimeout">How long a canceling push is tried (the phone may ring until its incoming-call push expires).</param>
/// <param name="Webhooks">Whether any webhook receiver is configured (none: no webhook messages are written).</param>
public sealed record CallOutboxSettings(TimeSpan RingTimeout, bool Webhooks);

/// <summary>
/// The one function from a decided change to every outbox message it leaves behind, written with its save:
/// a push per wake request, a webhook event per lifecycle event (when webhooks are configured), the progress
/// of a call placed by a transfer for the calls it replaces, and the call record for the histories when the
/// call ended.
/// </summary>
public static class CallOutbox
{
    /// <summary>
    /// The messages of <paramref name="decision"/> on <paramref name="before"/> (null: the decision created
    /// the call), decided at <paramref name="now"/>. None for a decision that changed nothing.
    /// </summary>
    public static IReadOnlyList<OutboxMessage> MessagesOf(Call? before, Decision decision, DateTimeOffset now, CallOutboxSettings settings)
    {
        if (!decision.Changed || decision.Call is not { } after)
        {
            return [];
        }

        var messages = new List<OutboxMessage>();
        foreach (var wake in decision.Wakes)
        {
            messages.Add(new OutboxMessage(OutboxTopic.Push, after.CallId, OutboxJson.Write(PushJob.Of(after, wake, now, settings.RingTimeout))));
        }

        if (settings.Webhooks)
        {
            foreach (var lifecycle in CallLifecycle.Between(before, after, now))
            {
                messages.Add(new OutboxMessage(OutboxTopic.Webhooks, after.CallId, OutboxJson.Write(WebhookEvent(after, lifecycle))));
            }
        }

        if (before is not null && after.TransferredFrom is { } origin && TransferProgressPayload.Between(before, after) is { } progress)
        {
            foreach (var replaced in (string?[])[origin.CallId, origin.ReplacesCallId])
            {
                if (replaced is not null)
                {
                    messages.Add(new OutboxMessage(OutboxTopic.Transfers, replaced, OutboxJson.Write(progress with { CallId = replaced })));
                }
            }
        }

        if (after.Phase == CallPhase.Ended && before?.Phase != CallPhase.Ended)
        {
            messages.Add(new OutboxMessage(OutboxTopic.History, after.CallId, OutboxJson.Write(History(after))));
        }

        return messages;
    }

    /// <summary>The webhook event of <paramref name="lifecycle"/> on <paramref name="call"/> (the call after the change).</summary>
    public static WebhookEventPayload WebhookEvent(Call call, CallLifecycleEvent lifecycle) => new()
    {
        Id = $"msg_{call.CallId}_{call.Version}_{lifecycle.Type}",
        Type = lifecycle.Type,
        Timestamp = lifecycle.At.UtcDateTime,
        Data = new WebhookCallData
        {
            CallId = call.CallId,
            Caller = call.Caller.Address.Value,
            Callee = call.Callee.Address.Value,
            State = CallProjection.OverallState(call).ToString(),
            Record = lifecycle.Type == CallEventTypes.Ended ? CallRecordPayload.Of(CallRecord.Of(call)) : null,
        },
    };

    /// <summary>The history message of an ended call: its record and the account that placed it.</summary>
    public static HistoryPayload History(Call call) =>
        new(CallRecordPayload.Of(CallRecord.Of(call)), call.Caller.Account.Value);
}
