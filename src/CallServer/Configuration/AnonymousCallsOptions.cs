namespace CallServer.Configuration;

/// <summary><c>AnonymousCalls:*</c>: who may mint anonymous tokens, and for how long they live.</summary>
public sealed class AnonymousCallsOptions
{
    public const string Section = "AnonymousCalls";

    /// <summary>The <c>X-Api-Key</c> values of server-side components allowed to mint tokens.</summary>
    public List<string> ApiKeys { get; set; } = [];

    /// <summary>Anyone may mint a token, rate-limited per client address.</summary>
    public bool AllowPublicTokens { get; set; }

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Public tokens one client address may mint per minute.</summary>
    public int PublicTokensPerMinute { get; set; } = 10;
}
