namespace CallServer.Auth;

/// <summary>
/// <c>Auth:*</c>: users who come from the app rather than from CallServer's passwords — tokens the app's
/// backend mints (<c>POST /api/v1/user-tokens</c> with one of <see cref="BackendApiKeys"/>) and tokens of the
/// app's identity provider (<see cref="ExternalIssuers"/>).
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The <c>X-Api-Key</c> values of the app's backends that may mint user tokens (apart from the anonymous-token keys).</summary>
    public List<string> BackendApiKeys { get; set; } = [];

    /// <summary>User tokens one backend key may mint per minute.</summary>
    public int UserTokensPerMinute { get; set; } = 600;

    /// <summary>Identity providers whose tokens name users (OpenID Connect discovery and JWKS).</summary>
    public List<ExternalIssuerOptions> ExternalIssuers { get; set; } = [];
}

/// <summary><c>Auth:ExternalIssuers:N:*</c>: one identity provider.</summary>
public sealed class ExternalIssuerOptions
{
    /// <summary>The issuer (its <c>iss</c>), with OpenID Connect discovery at <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }

    /// <summary>The <c>aud</c> its tokens must carry for CallServer.</summary>
    public string? Audience { get; set; }

    /// <summary>The claim that holds the username (the local part of the address).</summary>
    public string UsernameClaim { get; set; } = "sub";

    /// <summary>The claim that holds the display name, if any.</summary>
    public string DisplayNameClaim { get; set; } = "name";

    /// <summary>The domain of the addresses it makes; <c>Calls:DefaultDomain</c> when unset.</summary>
    public string? Domain { get; set; }

    /// <summary><c>claim=value</c> pairs every token must carry (e.g. <c>roles=calls</c>).</summary>
    public List<string> RequiredClaims { get; set; } = [];

    /// <summary>The longest wait for the discovery document or the JWKS; a longer one is <c>Unavailable</c>.</summary>
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The least time between two fetches of the keys that a token with an unknown <c>kid</c> asks for (key
    /// rotation): forged <c>kid</c>s cannot make CallServer fetch more often than this.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the discovery document and keys are fetched again anyway.</summary>
    public TimeSpan AutomaticRefreshInterval { get; set; } = TimeSpan.FromHours(12);

    /// <summary>The authority without a trailing slash, as its tokens' <c>iss</c> is compared.</summary>
    public string Issuer => (Authority ?? string.Empty).TrimEnd('/');
}
