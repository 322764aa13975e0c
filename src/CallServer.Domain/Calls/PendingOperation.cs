namespace CallServer.Domain.Calls;

/// <summary>A renegotiation waiting for the other party's answer (one at a time per call).</summary>
public sealed record PendingOperation(string OperationId, MediaOperation Operation, CallSide Initiator, string SdpOffer);
