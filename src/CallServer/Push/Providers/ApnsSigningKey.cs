using System.Security.Cryptography;
using CallServer.Configuration;

namespace CallServer.Push.Providers;

/// <summary>The APNs signing key: the P-256 key of the .p8 file (PKCS#8 PEM), from <c>Push:Apns:PrivateKey</c> or <c>PrivateKeyPath</c>.</summary>
public static class ApnsSigningKey
{
    /// <summary>Loads the key; throws <see cref="InvalidOperationException"/> (naming the setting, never the key) when it cannot.</summary>
    public static ECDsa Load(ApnsPushOptions options)
    {
        string pem;
        if (!string.IsNullOrWhiteSpace(options.PrivateKey))
        {
            pem = options.PrivateKey;
        }
        else if (!string.IsNullOrWhiteSpace(options.PrivateKeyPath))
        {
            try
            {
                pem = File.ReadAllText(options.PrivateKeyPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Push:Apns:PrivateKeyPath cannot be read: {e.GetType().Name}");
            }
        }
        else
        {
            throw new InvalidOperationException("Push:Apns:PrivateKey or Push:Apns:PrivateKeyPath is required");
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new InvalidOperationException("The APNs key (Push:Apns:PrivateKey or the file of PrivateKeyPath) is not the PEM of a private EC key");
        }

        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new InvalidOperationException("The APNs key must be a P-256 key (ES256)");
        }

        return key;
    }
}
