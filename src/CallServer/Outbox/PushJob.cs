using CallServer.Domain.Calls;
using CallServer.Domain.Notifications;

namespace CallServer.Outbox;

/// <summary>
/// A message of the topic <see cref="OutboxTopic.Push"/>: a push decided with a call change, which account to
/// push to and what to tell it, so that whichever node sends it needs nothing else.
/// </summary>
public sealed record PushJob
{
    /// <summary><see cref="Kind"/> of a push that wakes an account's phones for a call.</summary>
    public const string IncomingCall = "incomingCall";

    /// <summary><see cref="Kind"/> of a push that stops them ringing.</summary>
    public const string CallCanceled = "callCanceled";

    /// <summary><see cref="Kind"/> of a push that tells them of a call they missed (issue 20).</summary>
    public const string MissedCall = "missedCall";

    /// <summary>How long a missed-call push may still be delivered (a phone that was off for a day still hears of it).</summary>
    public static readonly TimeSpan MissedCallLifetime = TimeSpan.FromDays(1);

    public required string Kind { get; init; }

    public required string Account { get; init; }

    public required string CallId { get; init; }

    public string? From { get; init; }

    public string? DisplayName { get; init; }

    public bool Video { get; init; }

    public string? Reason { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The job of a decided wake request on <paramref name="call"/> (the call after the change).</summary>
    public static PushJob Of(Call call, WakeRequest wake, DateTimeOffset now, TimeSpan ringTimeout) => wake switch
    {
        WakeAccount w => new PushJob
        {
            Kind = IncomingCall,
            Account = w.Account.Value,
            CallId = call.CallId,
            From = call.Caller.Address.Value,
            DisplayName = call.Caller.DisplayName,
            Video = call.Caller.SendsVideo,
            ExpiresAt = w.RingsUntil,
        },
        StopWaking s => new PushJob
        {
            Kind = CallCanceled,
            Account = s.Account.Value,
            CallId = call.CallId,
            Reason = s.Reason,
            // The phone may still be ringing until its incoming-call push expires: try as long.
            ExpiresAt = now + ringTimeout,
        },
        Domain.Notifications.MissedCall m => new PushJob
        {
            Kind = MissedCall,
            Account = m.Account.Value,
            CallId = call.CallId,
            From = call.Caller.Address.Value,
            DisplayName = call.Caller.DisplayName,
            Video = call.Caller.SendsVideo,
            Reason = m.Reason,
            ExpiresAt = now + MissedCallLifetime,
        },
        _ => throw new ArgumentOutOfRangeException(nameof(wake), wake, "an unknown wake request"),
    };
}
