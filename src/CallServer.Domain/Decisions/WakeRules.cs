using CallServer.Domain.Calls;
using CallServer.Domain.Notifications;

namespace CallServer.Domain.Decisions;

/// <summary>
/// When a woken account stops being woken: the call stops ringing it because it was answered, ended, or
/// forwarded to another account. Applied to every change, so that no rule can forget to tell the phones.
/// A call that ends while it still wakes the account, neither rejected there nor forwarded, is also a missed
/// call for it (<see cref="MissedCall"/>: the caller hung up, or the ringing timed out).
/// </summary>
internal static class WakeRules
{
    public static (Call After, IReadOnlyList<WakeRequest> Stops) Follow(Call before, Call after)
    {
        if (before.WokenAccount is not { } woken || (after.IsRinging && after.Callee.Account == woken))
        {
            return (after, []);
        }

        var reason = after.Phase switch
        {
            CallPhase.Ended => (after.Callee.End?.Reason ?? EndReason.Canceled).ToString(),
            CallPhase.Answering or CallPhase.Connected => nameof(EndReason.AnsweredElsewhere),
            _ => nameof(EndReason.Forwarded),
        };
        var stillWoken = after.WokenAccount == woken ? null : after.WokenAccount;
        var next = after with { WokenAccount = stillWoken, WokenAt = stillWoken is null ? null : after.WokenAt };
        var missed = after.Phase == CallPhase.Ended && reason is not (nameof(EndReason.Rejected) or nameof(EndReason.Forwarded) or nameof(EndReason.AnsweredElsewhere));
        return (next, missed ? [new StopWaking(woken, reason), new MissedCall(woken, reason)] : [new StopWaking(woken, reason)]);
    }
}
