using System.Buffers.Text;
using System.Security.Cryptography;
using CallServer.Configuration;
using CallServer.Observability.Logging;

namespace CallServer.Push.Providers;

/// <summary>
/// This server's VAPID identity (RFC 8292): a P-256 key pair, base64url, and a contact subject. Browsers
/// subscribe with <see cref="PublicKey"/> (the <c>applicationServerKey</c>, served by
/// <c>GET /api/v1/push/webpush-key</c>). From <c>Push:WebPush</c>, or made at start-up when it has no keys
/// (<see cref="IsEphemeral"/>: subscriptions then die with the process).
/// </summary>
public sealed class WebPushVapidKeys
{
    public const string DefaultSubject = "mailto:admin@localhost";

    private WebPushVapidKeys(string publicKey, string privateKey, string subject, bool isEphemeral)
    {
        PublicKey = publicKey;
        PrivateKey = privateKey;
        Subject = subject;
        IsEphemeral = isEphemeral;
    }

    /// <summary>The 65-byte uncompressed P-256 point, base64url (no padding).</summary>
    public string PublicKey { get; }

    /// <summary>The 32-byte private scalar, base64url: only for signing, never shown.</summary>
    internal string PrivateKey { get; }

    /// <summary>The <c>sub</c> of the VAPID JWT.</summary>
    public string Subject { get; }

    /// <summary>True when the keys were made for this process because none are configured.</summary>
    public bool IsEphemeral { get; }

    public static WebPushVapidKeys Create(WebPushOptions options, ILogger logger)
    {
        var subject = string.IsNullOrWhiteSpace(options.Subject) ? DefaultSubject : options.Subject;
        if (options.HasKeys)
        {
            return new WebPushVapidKeys(options.PublicKey!, options.PrivateKey!, subject, isEphemeral: false);
        }

        PushLog.WebPushEphemeralKeys(logger);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        byte[] point = [0x04, .. parameters.Q.X!, .. parameters.Q.Y!];
        return new WebPushVapidKeys(Base64Url.EncodeToString(point), Base64Url.EncodeToString(parameters.D!), subject, isEphemeral: true);
    }

    /// <summary>Why <paramref name="options"/>' keys cannot be used, or null when they can (or are absent).</summary>
    public static string? Problem(WebPushOptions options)
    {
        var hasPublic = !string.IsNullOrWhiteSpace(options.PublicKey);
        var hasPrivate = !string.IsNullOrWhiteSpace(options.PrivateKey);
        if (hasPublic != hasPrivate)
        {
            return "Push:WebPush:PublicKey and Push:WebPush:PrivateKey go together: set both or neither";
        }

        if (hasPublic && (DecodedLength(options.PublicKey!) != 65 || DecodedLength(options.PrivateKey!) != 32))
        {
            return "Push:WebPush:PublicKey must be a 65-byte uncompressed P-256 point and PrivateKey a 32-byte scalar, both base64url";
        }

        if (!string.IsNullOrWhiteSpace(options.Subject)
            && !options.Subject.StartsWith("mailto:", StringComparison.Ordinal)
            && !(Uri.TryCreate(options.Subject, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
        {
            return "Push:WebPush:Subject must be a mailto: or https: URI";
        }

        return null;
    }

    private static int DecodedLength(string base64Url)
    {
        try
        {
            return Base64Url.DecodeFromChars(base64Url.TrimEnd('=')).Length;
        }
        catch (FormatException)
        {
            return -1;
        }
    }
}
