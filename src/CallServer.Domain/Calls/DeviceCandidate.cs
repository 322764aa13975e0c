namespace CallServer.Domain.Calls;

/// <summary>A candidate a ringing callee device sent before it accepted.</summary>
public sealed record DeviceCandidate(string DeviceId, IceCandidate Candidate);
