namespace CallServer.Push;

/// <summary>The VAPID public key (base64url, an uncompressed P-256 point) browsers subscribe with.</summary>
public interface IWebPushPublicKey
{
    string PublicKey { get; }
}
