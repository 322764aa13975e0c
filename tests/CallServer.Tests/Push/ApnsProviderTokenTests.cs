using System.Security.Cryptography;
using CallServer.Push.Providers;
using CallServer.Tests.Push.StandIns;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallServer.Tests.Push;

/// <summary>The APNs provider token's life: reused, renewed before Apple's hour, renewed when APNs says it expired.</summary>
public sealed class ApnsProviderTokenTests : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa publicKey;
    private readonly ManualClock clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ApnsProviderToken token;

    public ApnsProviderTokenTests()
    {
        publicKey = ECDsa.Create(key.ExportParameters(includePrivateParameters: false));
        var signingKey = ECDsa.Create();
        signingKey.ImportFromPem(key.ExportPkcs8PrivateKeyPem());
        token = new ApnsProviderToken(signingKey, "TEAM123456", "KEY7654321", clock, NullLogger.Instance);
    }

    [Fact]
    public void The_token_is_an_es256_jwt_with_kid_iss_and_iat_signed_by_the_key()
    {
        var jwt = Jwt.TryParse(token.Current)!;

        Assert.True(jwt.VerifiesEs256(publicKey));
        Assert.Equal("ES256", jwt.HeaderString("alg"));
        Assert.Equal("KEY7654321", jwt.HeaderString("kid"));
        Assert.Equal("TEAM123456", jwt.ClaimString("iss"));
        Assert.Equal(clock.Now.ToUnixTimeSeconds(), jwt.ClaimNumber("iat"));
        Assert.Equal(["iss", "iat"], jwt.Claims.EnumerateObject().Select(claim => claim.Name));
    }

    [Fact]
    public void The_same_token_serves_for_50_minutes_then_a_new_one_is_made()
    {
        var first = token.Current;
        clock.Now += TimeSpan.FromMinutes(49);
        var at49 = token.Current;
        clock.Now += TimeSpan.FromMinutes(1);
        var at50 = token.Current;

        Assert.Equal(first, at49);
        Assert.NotEqual(first, at50);
        Assert.Equal(clock.Now.ToUnixTimeSeconds(), Jwt.TryParse(at50)!.ClaimNumber("iat"));
        Assert.True(Jwt.TryParse(at50)!.VerifiesEs256(publicKey));
    }

    [Fact]
    public void A_token_apns_called_expired_is_replaced_but_a_stale_report_does_not_discard_its_successor()
    {
        var first = token.Current;
        token.Expired(first);
        var second = token.Current;
        token.Expired(first);

        Assert.NotEqual(first, second);
        Assert.Equal(second, token.Current);
    }

    [Fact]
    public void A_clock_that_went_backwards_gets_a_new_token_instead_of_one_from_the_future()
    {
        var first = token.Current;
        clock.Now -= TimeSpan.FromMinutes(5);

        Assert.NotEqual(first, token.Current);
    }

    public void Dispose()
    {
        token.Dispose();
        publicKey.Dispose();
        key.Dispose();
    }
}
