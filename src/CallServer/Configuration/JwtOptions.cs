namespace CallServer.Configuration;

/// <summary><c>Jwt:*</c>: how tokens are signed and checked.</summary>
public sealed class JwtOptions
{
    public const string Section = "Jwt";

    /// <summary>The key used in Development when none is configured. Never used elsewhere.</summary>
    public const string DevelopmentSigningKey = "callserver-development-signing-key-not-for-production-use";

    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "callserver";

    public string Audience { get; set; } = "callserver";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);
}
