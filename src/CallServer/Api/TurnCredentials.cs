using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CallServer.Api;

/// <summary>
/// TURN REST API credentials (draft-uberti-behave-turn-rest, as coturn's <c>use-auth-secret</c> checks them):
/// <c>username = expiry:address</c>, <c>credential = base64(HMAC-SHA1(secret, username))</c>.
/// </summary>
public static class TurnCredentials
{
    public static (string Username, string Credential) Create(string secret, string address, DateTimeOffset expiresAt)
    {
        var username = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) + ":" + address;
        var credential = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
        return (username, credential);
    }
}
