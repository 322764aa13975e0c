namespace CallServer.Hubs;

/// <summary>A candidate as clients send it (RTCIceCandidateInit).</summary>
/// <remarks>The index is read as a 64-bit number, so that any JSON number binds and an out-of-range one is refused as <c>InvalidArgument</c> instead of failing the invocation without a code.</remarks>
public sealed record IceCandidateMessage(string? Candidate, string? SdpMid, long? SdpMLineIndex);
