using CallServer.Domain.Calls;
using CallServer.Domain.Notifications;

namespace CallServer.Domain.Decisions;

/// <summary>
/// When a woken account stops being woken: the call stops ringing it because it was answered, ended, or
/// forwarded to another account. Applied to every change, so that no rule can forget to tell the phones.
/// </summary>
internal static class WakeRules
{
    public static (Call After, StopWaking? Stop) Follow(Call before, Call after)
    {
        if (before.WokenAccount is not { } woken || (after.IsRinging && after.Callee.Account == woken))
        {
            return (after, null);
        }

        var reason = after.Phase switch
        {
            CallPhase.Ended => (after.Callee.End?.Reason ?? EndReason.Canceled).ToString(),
            CallPhase.Answering or CallPhase.Connected => nameof(EndReason.AnsweredElsewhere),
            _ => nameof(EndReason.Forwarded),
        };
        var stillWoken = after.WokenAccount == woken ? null : after.WokenAccount;
        return (after with { WokenAccount = stillWoken, WokenAt = stillWoken is null ? null : after.WokenAt }, new StopWaking(woken, reason));
    }
}
