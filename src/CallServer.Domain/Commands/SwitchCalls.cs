namespace CallServer.Domain.Commands;

/// <summary>What happens to the call a device is in when it answers a waiting call (rule 23).</summary>
public enum SwitchKind
{
    /// <summary><c>HoldAndAccept</c>: the call in progress is put on hold (a <c>HoldCall</c> with <see cref="SwitchCalls.HoldOffer"/>).</summary>
    HoldAndAccept,

    /// <summary><c>EndAndAccept</c>: the call in progress is ended (an <c>EndCall</c>).</summary>
    EndAndAccept,
}

/// <summary>
/// <c>HoldAndAccept</c> / <c>EndAndAccept</c> (rule 23): one command over two calls of one device: accept the waiting call
/// with <paramref name="SdpAnswer"/>, and hold or end the call it is in. Decided on both calls before either is changed.
/// </summary>
public sealed record SwitchCalls(Requester Requester, SwitchKind Kind, string SdpAnswer, string HoldOperationId, string? HoldOffer)
{
    /// <summary>For <see cref="SwitchKind.EndAndAccept"/>: the end reason text for the ended call.</summary>
    public string? ReasonText { get; init; }

    /// <summary>The custom parameters of the accept.</summary>
    public IReadOnlyDictionary<string, string>? CustomParameters { get; init; }

    /// <summary>The command accepting the waiting call.</summary>
    public AcceptCall Accept => new(Requester, SdpAnswer) { CustomParameters = CustomParameters };

    /// <summary>The command for the call in progress.</summary>
    public PartyCommand Other => Kind == SwitchKind.HoldAndAccept
        ? new StartMediaOperation(Requester, Calls.MediaOperation.HoldCall, HoldOperationId, HoldOffer ?? string.Empty)
        : new EndCall(Requester) { ReasonText = ReasonText };
}
