using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;

namespace CallServer.Domain.Decisions;

/// <summary>The two decisions of <c>HoldAndAccept</c> / <c>EndAndAccept</c>, both allowed; or the refusal of the whole.</summary>
public sealed record SwitchDecision(Decision Accept, Decision Other, DomainError? Error)
{
    public bool IsRefused => Error is not null;

    public static SwitchDecision Refuse(DomainError error) => new(Decision.Refuse(error), Decision.Refuse(error), error);
}

/// <summary>Answering a waiting call from a device that is in another (rule 23).</summary>
public static partial class CallDecider
{
    /// <summary>
    /// Rule 23: <c>HoldAndAccept</c> / <c>EndAndAccept</c>. The waiting call must ring on the requesting device, and the
    /// other call must be this device's own call in progress (bound to it, not ended; for a hold, connected). Both are
    /// decided on the versions given: either both are allowed (the accept on <paramref name="waiting"/>, the hold or end on
    /// <paramref name="current"/>) or the whole is refused and nothing changes.
    /// </summary>
    public static SwitchDecision Switch(Call waiting, Call current, SwitchCalls command, DeciderSettings settings, DateTimeOffset now)
    {
        if (waiting.CallId == current.CallId)
        {
            return SwitchDecision.Refuse(DomainError.Of(ErrorCode.InvalidArgument, "the waiting call and the call in progress are two different calls"));
        }

        // The call in progress first: a stranger learns nothing of either call.
        var (_, notBound) = BoundParty(current, command.Requester);
        if (notBound is not null)
        {
            return SwitchDecision.Refuse(notBound.Error!);
        }

        var accept = Decide(waiting, command.Accept, settings, now);
        if (accept.IsRefused)
        {
            return SwitchDecision.Refuse(accept.Error!);
        }

        var other = Decide(current, command.Other, settings, now);
        return other.IsRefused ? SwitchDecision.Refuse(other.Error!) : new SwitchDecision(accept, other, null);
    }
}
