namespace CallServer.Hubs;

/// <summary>A candidate as clients send it (RTCIceCandidateInit).</summary>
public sealed record IceCandidateMessage(string? Candidate, string? SdpMid, int? SdpMLineIndex);
