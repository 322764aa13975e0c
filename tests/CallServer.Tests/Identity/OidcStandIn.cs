using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CallServer.Tests.Identity;

/// <summary>
/// An identity provider on a loopback port: real OpenID Connect discovery and JWKS documents over HTTP, keys
/// made here (RSA for RS256/PS256, P-256 for ES256), tokens signed with them, and counters of what was
/// fetched. It can rotate keys, and stop answering (<see cref="Hang"/>) or answer 503 (<see cref="Fail"/>).
/// </summary>
public sealed class OidcStandIn : IAsyncDisposable
{
    private readonly object gate = new();
    private readonly List<(string Kid, SecurityKey Key, string Algorithm)> published = [];
    private WebApplication? app;
    private int discoveryRequests;
    private int jwksRequests;
    private volatile string mode = "up";

    public string Issuer { get; private set; } = string.Empty;

    public int DiscoveryRequests => Volatile.Read(ref discoveryRequests);

    public int JwksRequests => Volatile.Read(ref jwksRequests);

    public static async Task<OidcStandIn> StartAsync()
    {
        var standIn = new OidcStandIn();
        standIn.AddRsaKey("rsa-1");
        standIn.AddEcKey("ec-1");
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/.well-known/openid-configuration", async context =>
        {
            Interlocked.Increment(ref standIn.discoveryRequests);
            if (await standIn.AnswerDownAsync(context))
            {
                return;
            }

            await context.Response.WriteAsJsonAsync(new Dictionary<string, object>
            {
                ["issuer"] = standIn.Issuer,
                ["jwks_uri"] = standIn.Issuer + "/jwks",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256", "PS256", "ES256" },
            });
        });
        app.MapGet("/jwks", async context =>
        {
            Interlocked.Increment(ref standIn.jwksRequests);
            if (await standIn.AnswerDownAsync(context))
            {
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(standIn.Jwks());
        });
        await app.StartAsync();
        standIn.app = app;
        standIn.Issuer = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        return standIn;
    }

    /// <summary>Stops answering: every request hangs until the client gives up.</summary>
    public void Hang() => mode = "hang";

    /// <summary>Answers every request 503.</summary>
    public void Fail() => mode = "fail";

    public void Recover() => mode = "up";

    /// <summary>Publishes a new RSA key (a rotation); the old ones stay published unless removed.</summary>
    public void AddRsaKey(string kid)
    {
        var rsa = RSA.Create(2048);
        lock (gate)
        {
            published.Add((kid, new RsaSecurityKey(rsa) { KeyId = kid }, SecurityAlgorithms.RsaSha256));
        }
    }

    public void AddEcKey(string kid)
    {
        var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        lock (gate)
        {
            published.Add((kid, new ECDsaSecurityKey(ec) { KeyId = kid }, SecurityAlgorithms.EcdsaSha256));
        }
    }

    /// <summary>A token signed with the published key <paramref name="kid"/> (RS256 for RSA keys unless <paramref name="algorithm"/>, ES256 for EC).</summary>
    public string Token(string kid, IDictionary<string, object> claims, string? audience = "callserver-app", string? issuer = null, TimeSpan? lifetime = null, string? algorithm = null)
    {
        (string Kid, SecurityKey Key, string Algorithm) key;
        lock (gate)
        {
            key = published.Single(k => k.Kid == kid);
        }

        return Sign(new SigningCredentials(key.Key, algorithm ?? key.Algorithm), claims, audience, issuer ?? Issuer, lifetime);
    }

    /// <summary>A token signed by a key nobody published, under <paramref name="kid"/>.</summary>
    public string ForgedToken(string kid, IDictionary<string, object> claims) =>
        Sign(new SigningCredentials(new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid }, SecurityAlgorithms.RsaSha256), claims, "callserver-app", Issuer, null);

    /// <summary>A token signed with HMAC under a published key id (an algorithm external issuers may not use).</summary>
    public string HmacToken(string kid, IDictionary<string, object> claims) =>
        Sign(new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = kid }, SecurityAlgorithms.HmacSha256), claims, "callserver-app", Issuer, null);

    /// <summary>An unsigned token (<c>alg: none</c>).</summary>
    public string UnsignedToken(IDictionary<string, object> claims)
    {
        var payload = new Dictionary<string, object>(claims)
        {
            ["iss"] = Issuer,
            ["aud"] = "callserver-app",
            ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
        };
        static string Part(object value) => Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(value));
        return $"{Part(new { alg = "none", typ = "JWT" })}.{Part(payload)}.";
    }

    public async ValueTask DisposeAsync()
    {
        mode = "fail";
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }

    private static string Sign(SigningCredentials credentials, IDictionary<string, object> claims, string? audience, string issuer, TimeSpan? lifetime)
    {
        var now = DateTime.UtcNow;
        var expires = now + (lifetime ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            Issuer = issuer,
            Audience = audience,
            IssuedAt = lifetime < TimeSpan.Zero ? expires.AddMinutes(-1) : now,
            NotBefore = lifetime < TimeSpan.Zero ? expires.AddMinutes(-1) : now,
            Expires = expires,
            SigningCredentials = credentials,
        });
    }

    private async Task<bool> AnswerDownAsync(HttpContext context)
    {
        switch (mode)
        {
            case "hang":
                await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return true;
            case "fail":
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return true;
            default:
                return false;
        }
    }

    private string Jwks()
    {
        List<Dictionary<string, string>> keys = [];
        lock (gate)
        {
            foreach (var (kid, key, algorithm) in published)
            {
                if (key is RsaSecurityKey rsa)
                {
                    var p = rsa.Rsa.ExportParameters(false);
                    keys.Add(new() { ["kty"] = "RSA", ["kid"] = kid, ["use"] = "sig", ["n"] = Base64UrlEncoder.Encode(p.Modulus!), ["e"] = Base64UrlEncoder.Encode(p.Exponent!) });
                }
                else if (key is ECDsaSecurityKey ec)
                {
                    var p = ec.ECDsa.ExportParameters(false);
                    keys.Add(new() { ["kty"] = "EC", ["kid"] = kid, ["use"] = "sig", ["alg"] = algorithm, ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(p.Q.X!), ["y"] = Base64UrlEncoder.Encode(p.Q.Y!) });
                }
            }
        }

        return JsonSerializer.Serialize(new { keys });
    }
}
