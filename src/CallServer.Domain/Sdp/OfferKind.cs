namespace CallServer.Domain.Sdp;

/// <summary>The three offers of the seed guides.</summary>
public enum OfferKind
{
    /// <summary><c>establishAudioCall()</c>: a single audio m-line.</summary>
    Audio,

    /// <summary><c>establishCall(false)</c>: audio plus an inactive (or disabled) video m-line.</summary>
    AudioWithInactiveVideo,

    /// <summary><c>establishCall(true)</c>: audio and an active video m-line.</summary>
    Video,
}
