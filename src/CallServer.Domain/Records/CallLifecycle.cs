using CallServer.Domain.Calls;

namespace CallServer.Domain.Records;

/// <summary>The webhook event types (<c>type</c> on the wire).</summary>
public static class CallEventTypes
{
    public const string Created = "call.created";
    public const string Ringing = "call.ringing";
    public const string Answered = "call.answered";
    public const string Forwarded = "call.forwarded";

    /// <summary>Added (issue 16): a party's call moved to another of its devices (<c>PullCall</c>); the call goes on.</summary>
    public const string Moved = "call.moved";

    /// <summary>Added (issue 16): the call was transferred (its new call was answered); <c>call.ended</c> follows, reason <c>Transferred</c>.</summary>
    public const string Transferred = "call.transferred";
    public const string Ended = "call.ended";

    public static readonly IReadOnlyList<string> All = [Created, Ringing, Answered, Forwarded, Moved, Transferred, Ended];
}

/// <summary>What happened to a call in one change, for the customer's backend (webhooks).</summary>
public sealed record CallLifecycleEvent(string Type, DateTimeOffset At);

/// <summary>
/// The lifecycle events of one saved change, read off the record before and after it (so no rule can
/// forget one): created, ringing (when the phase enters Ringing after the offer, and again after a forward),
/// answered (a device accepted), forwarded (the callee's account changed), ended.
/// </summary>
public static class CallLifecycle
{
    public static IReadOnlyList<CallLifecycleEvent> Between(Call? before, Call after, DateTimeOffset now)
    {
        var events = new List<CallLifecycleEvent>();
        if (before is null)
        {
            events.Add(new(CallEventTypes.Created, after.CreatedAt));
            return events;
        }

        if (before.Callee.Account != after.Callee.Account && before.Phase != CallPhase.Initial)
        {
            events.Add(new(CallEventTypes.Forwarded, now));
        }

        // Ringing: the devices were alerted, or a forward made the target ring (the phase stays Ringing).
        if (after.Phase == CallPhase.Ringing && (before.Phase != CallPhase.Ringing || before.RingGeneration != after.RingGeneration))
        {
            events.Add(new(CallEventTypes.Ringing, now));
        }

        if (after.AnsweredAt is { } answeredAt && before.AnsweredAt is null)
        {
            events.Add(new(CallEventTypes.Answered, answeredAt));
        }

        if (after.MovedFrom.Count > before.MovedFrom.Count)
        {
            events.Add(new(CallEventTypes.Moved, after.MovedFrom[^1].MovedAt));
        }

        if (after.Phase == CallPhase.Ended && before.Phase != CallPhase.Ended && after.Caller.End?.Reason == EndReason.Transferred)
        {
            events.Add(new(CallEventTypes.Transferred, after.EndedAt ?? now));
        }

        if (after.Phase == CallPhase.Ended && before.Phase != CallPhase.Ended)
        {
            events.Add(new(CallEventTypes.Ended, after.EndedAt ?? now));
        }

        return events;
    }
}
