namespace CallServer.Domain.Ports;

/// <summary>
/// A store could not be reached in time, or holds a record this node cannot read: the operation did not
/// happen (nothing changed). Not a refusal of the domain: the edges (hub, REST) answer it as the contract's
/// <c>Unavailable</c> (503), and every worker leaves its work for a later attempt.
/// </summary>
public sealed class StoreUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
