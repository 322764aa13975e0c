namespace CallServer.Configuration;

/// <summary><c>IceServers:*</c>: the STUN/TURN servers clients use, with coturn's <c>use-auth-secret</c> credentials.</summary>
public sealed class IceServersOptions
{
    public const string Section = "IceServers";

    /// <summary>STUN URLs, e.g. <c>stun:turn.example.com:3478</c>.</summary>
    public List<string> StunUrls { get; set; } = [];

    /// <summary>TURN URLs, e.g. <c>turn:turn.example.com:3478?transport=udp</c>.</summary>
    public List<string> TurnUrls { get; set; } = [];

    /// <summary>The secret shared with coturn (<c>static-auth-secret</c>); TURN URLs are only handed out with it.</summary>
    public string? TurnSecret { get; set; }

    /// <summary>How long a TURN credential is valid.</summary>
    public TimeSpan CredentialLifetime { get; set; } = TimeSpan.FromHours(1);
}
