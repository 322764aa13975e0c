using System.Security.Cryptography;
using System.Text;

namespace CallServer.Configuration;

/// <summary>
/// The stable name of a webhook receiver (issue 20): its configured <see cref="WebhookEndpointOptions.Id"/>, else the
/// first 12 hex digits of the SHA-256 of its URL. Its queue in the outbox, its metrics and its logs go by it, so it must
/// not change when the endpoints are listed in another order.
/// </summary>
public static class WebhookEndpointKey
{
    private const int MaxIdLength = 32;

    public static string Of(WebhookEndpointOptions endpoint) =>
        endpoint.Id ?? Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(endpoint.Url)))[..12];

    public static bool IsValidId(string id) =>
        id.Length is > 0 and <= MaxIdLength && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
}
