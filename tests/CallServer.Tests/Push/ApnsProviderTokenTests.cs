using System.Security.Cryptography;
using CallServer.Push.Providers;
using CallServer.Tests.Push.StandIns;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallServer.Tests.Push;

/// <summary>The APNs provider token's life: reused, renewed before Apple's hour, renewed when APNs says it expired.</summary>
public sealed class ApnsProviderTokenTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _publicKey;
    private readonly ManualClock _clock = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ApnsProviderToken _token;

    public ApnsProviderTokenTests()
    {
        _publicKey = ECDsa.Create(_key.ExportParameters(includePrivateParameters: false));
        var signingKey = ECDsa.Create();
        signingKey.ImportFromPem(_key.ExportPkcs8PrivateKeyPem());
        _token = new ApnsProviderToken(signingKey, "TEAM123456", "KEY7654321", _clock, NullLogger.Instance);
    }

    [Fact]
    public void The_token_is_an_es256_jwt_with_kid_iss_and_iat_signed_by_the_key()
    {
        var jwt = Jwt.TryParse(_token.Current)!;

        Assert.True(jwt.VerifiesEs256(_publicKey));
        Assert.Equal("ES256", jwt.HeaderString("alg"));
        Assert.Equal("KEY7654321", jwt.HeaderString("kid"));
        Assert.Equal("TEAM123456", jwt.ClaimString("iss"));
        Assert.Equal(_clock.Now.ToUnixTimeSeconds(), jwt.ClaimNumber("iat"));
        Assert.Equal(["iss", "iat"], jwt.Claims.EnumerateObject().Select(claim => claim.Name));
    }

    [Fact]
    public void The_same_token_serves_for_50_minutes_then_a_new_one_is_made()
    {
        var first = _token.Current;
        _clock.Now += TimeSpan.FromMinutes(49);
        var at49 = _token.Current;
        _clock.Now += TimeSpan.FromMinutes(1);
        var at50 = _token.Current;

        Assert.Equal(first, at49);
        Assert.NotEqual(first, at50);
        Assert.Equal(_clock.Now.ToUnixTimeSeconds(), Jwt.TryParse(at50)!.ClaimNumber("iat"));
        Assert.True(Jwt.TryParse(at50)!.VerifiesEs256(_publicKey));
    }

    [Fact]
    public void A_token_apns_called_expired_is_replaced_but_a_stale_report_does_not_discard_its_successor()
    {
        var first = _token.Current;
        _token.Expired(first);
        var second = _token.Current;
        _token.Expired(first);

        Assert.NotEqual(first, second);
        Assert.Equal(second, _token.Current);
    }

    [Fact]
    public void A_clock_that_went_backwards_gets_a_new_token_instead_of_one_from_the_future()
    {
        var first = _token.Current;
        _clock.Now -= TimeSpan.FromMinutes(5);

        Assert.NotEqual(first, _token.Current);
    }

    public void Dispose()
    {
        _token.Dispose();
        _publicKey.Dispose();
        _key.Dispose();
    }
}
