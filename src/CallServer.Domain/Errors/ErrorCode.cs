namespace CallServer.Domain.Errors;

/// <summary>The contract's error codes; they travel as these exact names.</summary>
public enum ErrorCode
{
    Unauthorized,
    Forbidden,
    CallNotFound,
    InvalidState,
    OperationInProgress,
    AlreadyOnHold,
    NotOnHold,
    CalleeNotFound,
    CalleeUnavailable,
    InvalidAddress,
    InvalidSdp,
    InvalidArgument,
    ForwardLoop,
    RateLimited,
    PayloadTooLarge,
    Timeout,

    /// <summary>Added: the other party refused a renegotiation (<c>RejectRenegotiation</c>).</summary>
    Rejected,

    /// <summary>Added: the call store could not be reached; nothing changed.</summary>
    Unavailable,

    /// <summary>Added: no push registration of that id (REST only).</summary>
    RegistrationNotFound,
}
