using CallServer.Configuration;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Http;

namespace CallServer.Push.Providers;

/// <summary>
/// The FCM service account's OAuth2 credential (Google.Apis.Auth): the JWT-bearer grant with scope
/// <see cref="MessagingScope"/>, sent to <c>Push:Fcm:TokenEndpoint</c> (not the key file's own
/// <c>token_uri</c>) through the push providers' HTTP pipeline. The library keeps the access token and
/// renews it shortly before it expires.
/// </summary>
public static class FcmServiceAccount
{
    public const string MessagingScope = "https://www.googleapis.com/auth/firebase.messaging";

    /// <summary>Reads the service account JSON; throws <see cref="InvalidOperationException"/> (naming the setting, never the key) when it cannot.</summary>
    public static ServiceAccountCredential Load(FcmPushOptions options, Google.Apis.Http.IHttpClientFactory httpClientFactory)
    {
        var parsed = Parse(ReadJson(options));
        return new ServiceAccountCredential(new ServiceAccountCredential.Initializer(parsed.Id, options.TokenEndpoint)
        {
            ProjectId = parsed.ProjectId,
            Key = parsed.Key,
            KeyId = parsed.KeyId,
            Scopes = [MessagingScope],
            HttpClientFactory = httpClientFactory,
            // One attempt per request: retrying is the dispatcher's decision (and each attempt is bounded).
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        });
    }

    /// <summary>Checks that the configured service account can be read (for start-up validation).</summary>
    public static void Validate(FcmPushOptions options) => Parse(ReadJson(options));

    private static string ReadJson(FcmPushOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ServiceAccountJson))
        {
            return options.ServiceAccountJson;
        }

        if (string.IsNullOrWhiteSpace(options.ServiceAccountJsonPath))
        {
            throw new InvalidOperationException("Push:Fcm:ServiceAccountJson or Push:Fcm:ServiceAccountJsonPath is required");
        }

        try
        {
            return File.ReadAllText(options.ServiceAccountJsonPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Push:Fcm:ServiceAccountJsonPath cannot be read: {e.GetType().Name}");
        }
    }

    private static ServiceAccountCredential Parse(string json)
    {
        try
        {
            return CredentialFactory.FromJson<ServiceAccountCredential>(json);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or FormatException or Newtonsoft.Json.JsonException or System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException("The FCM service account (Push:Fcm:ServiceAccountJson or the file of ServiceAccountJsonPath) is not a service account key in JSON");
        }
    }
}
