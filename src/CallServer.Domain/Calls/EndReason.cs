namespace CallServer.Domain.Calls;

/// <summary>Why a call (or one device's part of it) ended.</summary>
public enum EndReason
{
    EndedLocally,
    EndedRemotely,
    Rejected,
    Ignored,
    NoAnswer,
    Unavailable,
    Forwarded,
    AnsweredElsewhere,
    Canceled,
    ConnectionLost,
    Failed,

    /// <summary>This device no longer has the call: another device of the same account pulled it (<c>PullCall</c>); the call goes on there.</summary>
    MovedToAnotherDevice,

    /// <summary>The call was transferred (<c>TransferCall</c>, <c>ConsultativeTransfer</c>): the transferee goes on in the new call.</summary>
    Transferred,

    /// <summary>The callee is busy: every device it has connected is in another call and its busy policy is <see cref="BusyPolicy.Busy"/> (SIP 486).</summary>
    Busy,
}
