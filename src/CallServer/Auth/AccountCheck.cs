using System.Globalization;
using System.Security.Claims;
using CallServer.Domain.Ports;

namespace CallServer.Auth;

/// <summary>
/// A user's token counts only while its account exists, and only for the account it was issued for: a
/// token issued before the account was (re)created — a deleted user's, reused by a new user of the same
/// name — is refused. Anonymous tokens have no account and stand alone.
/// </summary>
public sealed class AccountCheck(IUserDirectory users)
{
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, CallerIdentity identity, CancellationToken cancellationToken = default)
    {
        if (identity.IsAnonymous)
        {
            return true;
        }

        var account = await users.FindAsync(identity.Account, cancellationToken);
        if (account is null)
        {
            return false;
        }

        var issuedAt = long.TryParse(principal.FindFirst("iat")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;
        return issuedAt >= DateTimeOffset.FromUnixTimeSeconds(account.CreatedAt.ToUnixTimeSeconds());
    }
}
