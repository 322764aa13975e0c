using System.Security.Cryptography;
using System.Text;

namespace CallServer.Api;

/// <summary>Constant-time checks of the API key headers.</summary>
public static class ApiKeys
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string AdminKeyHeader = "X-Admin-Key";

    public static bool Matches(string? presented, IEnumerable<string?> accepted)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return false;
        }

        var presentedBytes = Encoding.UTF8.GetBytes(presented);
        var match = false;
        foreach (var key in accepted)
        {
            if (!string.IsNullOrEmpty(key))
            {
                match |= CryptographicOperations.FixedTimeEquals(presentedBytes, Encoding.UTF8.GetBytes(key));
            }
        }

        return match;
    }
}
