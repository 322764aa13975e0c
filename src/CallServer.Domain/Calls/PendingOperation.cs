namespace CallServer.Domain.Calls;

/// <summary>A renegotiation waiting for the other party's answer (one at a time per call).</summary>
public sealed record PendingOperation(string OperationId, MediaOperation Operation, CallSide Initiator, string SdpOffer)
{
    /// <summary>For <see cref="MediaOperation.PullCall"/>: the device of the initiator's account that takes the call over.</summary>
    public string? PullingDevice { get; init; }
}
