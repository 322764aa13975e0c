using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CallServer.Observability.Logging;

namespace CallServer.Push.Providers;

/// <summary>
/// The APNs provider token: an ES256 JWT (<c>{alg, kid}</c>, <c>{iss: team id, iat}</c>) signed with the
/// .p8 key. One token serves every request until it is <see cref="RenewAfter"/> old (Apple refuses
/// tokens older than an hour, and refreshes more often than every 20 minutes). Thread-safe.
/// </summary>
public sealed class ApnsProviderToken(ECDsa key, string teamId, string keyId, TimeProvider clock, ILogger logger) : IDisposable
{
    public static readonly TimeSpan RenewAfter = TimeSpan.FromMinutes(50);

    private readonly Lock gate = new();
    private Issued? current;

    /// <summary>The token to send now: the cached one, or a new one when it is old.</summary>
    public string Current
    {
        get
        {
            lock (gate)
            {
                var now = clock.GetUtcNow();
                if (current is { } cached && now >= cached.IssuedAt && now - cached.IssuedAt < RenewAfter)
                {
                    return cached.Jwt;
                }

                current = new Issued(Sign(now), now);
                PushLog.ApnsProviderTokenIssued(logger, keyId);
                return current.Jwt;
            }
        }
    }

    /// <summary>APNs said <paramref name="jwt"/> has expired: the next request gets a new one (unless another request already renewed it).</summary>
    public void Expired(string jwt)
    {
        lock (gate)
        {
            if (current?.Jwt == jwt)
            {
                current = null;
            }
        }
    }

    private string Sign(DateTimeOffset now)
    {
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["alg"] = "ES256", ["kid"] = keyId }));
        var claims = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["iss"] = teamId, ["iat"] = now.ToUnixTimeSeconds() }));
        var signingInput = $"{header}.{claims}";
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    private static string Base64Url(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public void Dispose() => key.Dispose();

    private sealed record Issued(string Jwt, DateTimeOffset IssuedAt);
}
