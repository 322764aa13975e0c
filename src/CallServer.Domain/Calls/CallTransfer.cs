using CallServer.Domain.Addresses;

namespace CallServer.Domain.Calls;

/// <summary>How a transfer was asked for.</summary>
public enum TransferKind
{
    /// <summary><c>TransferCall(callId, target)</c>: the transferee calls the target, which rings.</summary>
    Blind,

    /// <summary><c>ConsultativeTransfer(callId, otherCallId)</c>: the transferee is connected to the party of the transferor's other call.</summary>
    Consultative,
}

/// <summary>What the call carrying a transfer is to it.</summary>
public enum TransferRole
{
    /// <summary>The call whose other party (the transferee) places the new call; its transferor hears the progress.</summary>
    Transferee,

    /// <summary>The transferor's consultation call: its other party is the target the new call connects to.</summary>
    Target,
}

/// <summary>Where a transfer is: the new call is placed (<see cref="Trying"/>) or rings the target (<see cref="Ringing"/>).</summary>
public enum TransferStage
{
    Trying,
    Ringing,
}

/// <summary>What <c>TransferProgress</c> tells the transferor (the contract's names).</summary>
public enum TransferProgress
{
    Trying,
    Ringing,
    Succeeded,
    Failed,
}

/// <summary>
/// A transfer of this call in progress (rule 21): the new call that replaces it, who asked for it and where
/// it goes. While it is here, no other transfer, pull or media operation starts on the call. Kept when the
/// call ends <see cref="EndReason.Transferred"/>, for its record.
/// </summary>
/// <param name="NewCallId">The call the transferee places (its id is the transfer's).</param>
/// <param name="TransferorSide">The side of this call that asked for the transfer.</param>
/// <param name="Target">Where the transferee goes: the dialed target, or the other party of the consultation call.</param>
/// <param name="OtherCallId">For a consultative transfer, the transferor's other call.</param>
public sealed record CallTransfer(
    string NewCallId,
    TransferKind Kind,
    TransferRole Role,
    CallSide TransferorSide,
    Address Target,
    TransferStage Stage,
    string? OtherCallId);

/// <summary>
/// What a call placed by a transfer came from: the call it replaces for the transferee, who transferred,
/// and for a consultative transfer the consultation call it also replaces and the target's device there
/// (the only device it is offered to, which accepts it without ringing).
/// </summary>
public sealed record TransferOrigin(string CallId, Address TransferredBy, string? ReplacesCallId = null, string? TargetDevice = null);
