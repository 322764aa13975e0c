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
}
