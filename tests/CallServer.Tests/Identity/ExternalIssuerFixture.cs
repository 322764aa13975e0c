using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Identity;

/// <summary>A server that trusts a loopback identity provider (<see cref="OidcStandIn"/>) and two backend keys.</summary>
public class ExternalIssuerFixture : CallServerFixture
{
    public const string BackendKey = "host-tests-backend-key-0123456789";

    /// <summary>A second key, for the per-key rate limit (<see cref="UserTokensPerMinute"/>) without disturbing the others.</summary>
    public const string LimitedBackendKey = "host-tests-limited-backend-key-0123";

    public const int UserTokensPerMinute = 40;

    public OidcStandIn Idp { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Idp = await OidcStandIn.StartAsync();
        BeforeServerStarts(Idp);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Idp.DisposeAsync();
    }

    /// <summary>What the identity provider does before the server starts (answers, by default).</summary>
    protected virtual void BeforeServerStarts(OidcStandIn idp)
    {
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Auth:BackendApiKeys:0"] = BackendKey;
        settings["Auth:BackendApiKeys:1"] = LimitedBackendKey;
        settings["Auth:UserTokensPerMinute"] = UserTokensPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Auth:ExternalIssuers:0:Authority"] = Idp.Issuer;
        settings["Auth:ExternalIssuers:0:Audience"] = "callserver-app";
        settings["Auth:ExternalIssuers:0:UsernameClaim"] = "preferred_username";
        settings["Auth:ExternalIssuers:0:RequiredClaims:0"] = "scope=calls";
        settings["Auth:ExternalIssuers:0:MetadataTimeout"] = "00:00:02";
        settings["Auth:ExternalIssuers:0:KeyRefreshInterval"] = "00:00:02";
    }
}

/// <summary>The same, with an identity provider that does not answer when the server starts.</summary>
public sealed class IdpDownAtStartFixture : ExternalIssuerFixture
{
    protected override void BeforeServerStarts(OidcStandIn idp) => idp.Hang();
}
