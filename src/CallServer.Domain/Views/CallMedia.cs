namespace CallServer.Domain.Views;

/// <summary>The media attributes of a call as one party sees them.</summary>
public sealed record CallMedia(bool Audio, bool Video, bool LocalVideo, bool RemoteVideo, bool LocalMuted, bool RemoteMuted);
