using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CallServer.Tests.Push.StandIns;

/// <summary>A compact JWS taken apart, for the stand-ins to check header, claims and signature themselves.</summary>
public sealed record Jwt(string Compact, JsonElement Header, JsonElement Claims, byte[] SigningInput, byte[] Signature)
{
    public static Jwt? TryParse(string compact)
    {
        var parts = compact.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            return new Jwt(
                compact,
                JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0])).RootElement.Clone(),
                JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1])).RootElement.Clone(),
                Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"),
                Base64Url.DecodeFromChars(parts[2]));
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    public string? HeaderString(string name) =>
        Header.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public string? ClaimString(string name) =>
        Claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public long? ClaimNumber(string name) =>
        Claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    /// <summary>ES256: ECDSA P-256 with SHA-256, the signature as r‖s (JWS, RFC 7518 §3.4).</summary>
    public bool VerifiesEs256(ECDsa publicKey) =>
        HeaderString("alg") == "ES256"
        && publicKey.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>RS256: RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    public bool VerifiesRs256(RSA publicKey) =>
        HeaderString("alg") == "RS256"
        && publicKey.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
}
