namespace CallServer.Domain.Sdp;

/// <summary>What the server needs to know of an SDP body: its media sections.</summary>
public sealed record SdpSummary(IReadOnlyList<SdpMediaLine> MediaLines)
{
    public IEnumerable<SdpMediaLine> Audio => MediaLines.Where(m => m.Kind == "audio");

    public IEnumerable<SdpMediaLine> Video => MediaLines.Where(m => m.Kind == "video");

    public bool HasAudio => Audio.Any(m => m.Port != 0);

    /// <summary>True when the writer sends video on some video m-line.</summary>
    public bool SendsVideo => Video.Any(m => m.Sends);

    /// <summary>True when the writer receives video on some video m-line.</summary>
    public bool ReceivesVideo => Video.Any(m => m.Port != 0 && m.Direction.Receives());

    /// <summary>True when some audio stream still flows towards the other side (sendrecv or recvonly).</summary>
    public bool ReceivesAudio => Audio.Any(m => m.Port != 0 && m.Direction.Receives());

    /// <summary>True when some audio stream is sent.</summary>
    public bool SendsAudio => Audio.Any(m => m.Sends);

    /// <summary>
    /// Tells the seeds' three offers apart: an active video m-line is a video call; audio plus a video
    /// m-line that is inactive or disabled is the double m-line audio call; audio alone is the single
    /// m-line audio call.
    /// </summary>
    public OfferKind OfferKind =>
        Video.Any(m => m.IsActive) ? OfferKind.Video
        : Video.Any() ? OfferKind.AudioWithInactiveVideo
        : OfferKind.Audio;
}
