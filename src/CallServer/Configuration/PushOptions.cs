namespace CallServer.Configuration;

/// <summary>
/// <c>Push:*</c>: the push services that wake an app for an incoming call, the bound on registrations, and
/// how the push outbox is worked. The names are a public contract (environment variables such as
/// <c>Push__Apns__TeamId</c>, <c>Push__ClaimAfter</c>).
/// </summary>
public sealed class PushOptions
{
    public const string Section = "Push";

    /// <summary>Registrations one user may have; one more is refused <c>RateLimited</c>.</summary>
    public int MaxRegistrationsPerUser { get; set; } = 10;

    /// <summary>How often each node looks for pushes decided by other nodes (its own go out at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A push taken by a node that then stops working on it (the node died) is taken by another after this.</summary>
    public TimeSpan ClaimAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Pushes one node sends at once.</summary>
    public int MaxConcurrentPushes { get; set; } = 64;

    public ApnsPushOptions Apns { get; set; } = new();

    public FcmPushOptions Fcm { get; set; } = new();

    public WebPushOptions WebPush { get; set; } = new();

    /// <summary>
    /// The longest one request to a push service (or to Google's token endpoint) may take, connecting
    /// and reading the answer included. Past it the push is an outcome to retry.
    /// </summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary><c>Push:Apns:*</c>: Apple's push service, token-based (a .p8 signing key).</summary>
public sealed class ApnsPushOptions
{
    /// <summary>The APNs server; <c>https://api.sandbox.push.apple.com</c> for development builds of an app.</summary>
    public string Endpoint { get; set; } = "https://api.push.apple.com";

    /// <summary>The Apple developer team id: the <c>iss</c> of the provider token.</summary>
    public string? TeamId { get; set; }

    /// <summary>The id of the signing key: the <c>kid</c> of the provider token.</summary>
    public string? KeyId { get; set; }

    /// <summary>The signing key: the text of the .p8 file (PEM). Takes precedence over <see cref="PrivateKeyPath"/>.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>The path of the .p8 file, when <see cref="PrivateKey"/> is not given.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The app's bundle id; a registration's own app id overrides it. <c>.voip</c> is appended.</summary>
    public string? Topic { get; set; }

    public bool HasKey => !string.IsNullOrWhiteSpace(PrivateKey) || !string.IsNullOrWhiteSpace(PrivateKeyPath);

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(TeamId) && !string.IsNullOrWhiteSpace(KeyId) && HasKey && !string.IsNullOrWhiteSpace(Topic);
}

/// <summary><c>Push:Fcm:*</c>: Firebase Cloud Messaging, HTTP v1 API with a service account.</summary>
public sealed class FcmPushOptions
{
    public string Endpoint { get; set; } = "https://fcm.googleapis.com";

    /// <summary>The Firebase project id (the <c>{ProjectId}</c> of <c>/v1/projects/{ProjectId}/messages:send</c>).</summary>
    public string? ProjectId { get; set; }

    /// <summary>The service account's JSON key. Takes precedence over <see cref="ServiceAccountJsonPath"/>.</summary>
    public string? ServiceAccountJson { get; set; }

    /// <summary>The path of the service account's JSON key file, when <see cref="ServiceAccountJson"/> is not given.</summary>
    public string? ServiceAccountJsonPath { get; set; }

    /// <summary>Where access tokens are obtained; used instead of the <c>token_uri</c> of the service account JSON.</summary>
    public string TokenEndpoint { get; set; } = "https://oauth2.googleapis.com/token";

    public bool HasServiceAccount => !string.IsNullOrWhiteSpace(ServiceAccountJson) || !string.IsNullOrWhiteSpace(ServiceAccountJsonPath);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ProjectId) && HasServiceAccount;
}

/// <summary>
/// <c>Push:WebPush:*</c>: the VAPID identity of this server (RFC 8292). Without keys every start makes
/// new ones, so browsers' subscriptions stop working at a restart, and the nodes of a cluster disagree:
/// configure them in production.
/// </summary>
public sealed class WebPushOptions
{
    /// <summary>A <c>mailto:</c> or <c>https:</c> contact for the push services.</summary>
    public string? Subject { get; set; }

    /// <summary>The VAPID public key: the 65-byte uncompressed P-256 point, base64url.</summary>
    public string? PublicKey { get; set; }

    /// <summary>The VAPID private key: the 32-byte P-256 scalar, base64url.</summary>
    public string? PrivateKey { get; set; }

    public bool HasKeys => !string.IsNullOrWhiteSpace(PublicKey) && !string.IsNullOrWhiteSpace(PrivateKey);

    /// <summary>
    /// Accept subscriptions whose endpoint is <c>http://</c> on a loopback address (tests with a push service
    /// stand-in). Off in production: a subscription endpoint is chosen by the client, and the server must not
    /// be pointed at its own or its network's services.
    /// </summary>
    public bool AllowLoopbackEndpoints { get; set; }

    /// <summary>
    /// The push services a subscription's endpoint may name (a host or a parent domain of it): the browsers'
    /// own (Chrome, Firefox, Safari, Edge). Anything else is refused, so that no client can make the server
    /// POST to a host of its choosing.
    /// </summary>
    public List<string> AllowedHosts { get; set; } =
        ["fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com", "notify.windows.com"];

    /// <summary>Whether a subscription may name <paramref name="endpoint"/>.</summary>
    public bool Accepts(Uri endpoint)
    {
        if (endpoint.Scheme == Uri.UriSchemeHttp)
        {
            return AllowLoopbackEndpoints && endpoint.IsLoopback;
        }

        if (endpoint.Scheme != Uri.UriSchemeHttps || endpoint.HostNameType != UriHostNameType.Dns || !endpoint.IsDefaultPort)
        {
            return AllowLoopbackEndpoints && endpoint.Scheme == Uri.UriSchemeHttps && endpoint.IsLoopback;
        }

        var host = endpoint.IdnHost.TrimEnd('.');
        return AllowedHosts.Any(allowed => host.Equals(allowed, StringComparison.OrdinalIgnoreCase)
            || host.EndsWith("." + allowed, StringComparison.OrdinalIgnoreCase));
    }
}
