namespace CallServer.Domain.Sdp;

/// <summary>One <c>m=</c> section: its kind (audio, video, application…), port and direction.</summary>
/// <param name="Kind">The media type, lowercase (<c>audio</c>, <c>video</c>, <c>application</c>).</param>
/// <param name="Port">The port; 0 means the stream is rejected or disabled.</param>
/// <param name="Direction">The section's direction, or the session-level one when it has none.</param>
public sealed record SdpMediaLine(string Kind, int Port, MediaDirection Direction)
{
    /// <summary>True when the stream exists (port not 0) and is not inactive.</summary>
    public bool IsActive => Port != 0 && Direction != MediaDirection.Inactive;

    /// <summary>True when the writer of this SDP sends media on it.</summary>
    public bool Sends => Port != 0 && Direction.Sends();
}
