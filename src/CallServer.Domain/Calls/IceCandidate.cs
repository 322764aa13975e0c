namespace CallServer.Domain.Calls;

/// <summary>A trickled ICE candidate, relayed as the client sent it.</summary>
public sealed record IceCandidate(string Candidate, string? SdpMid, int? SdpMLineIndex)
{
    /// <summary>The longest candidate line accepted (1 KiB).</summary>
    public const int MaxLength = 1024;

    /// <summary>Candidates kept for a callee device that is not bound yet; later ones are dropped.</summary>
    public const int MaxPending = 64;

    /// <summary>The most candidates kept from all ringing devices of a call together (each keeps at most <see cref="MaxPending"/>).</summary>
    public const int MaxPendingFromDevices = 256;
}
