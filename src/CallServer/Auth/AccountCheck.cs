using System.Globalization;
using System.Security.Claims;
using CallServer.Domain.Ports;

namespace CallServer.Auth;

/// <summary>
/// A user's token counts only while its account exists, and only for the account it was issued for (its
/// <c>account_created</c> claim): a deleted user's token, reused once a new user of the same name exists,
/// is refused. Anonymous tokens have no account and stand alone.
/// </summary>
public sealed class AccountCheck(IUserDirectory users)
{
    public async Task<bool> IsCurrentAsync(ClaimsPrincipal principal, CallerIdentity identity, CancellationToken cancellationToken = default) =>
        identity.IsAnonymous || await CurrentAccountAsync(principal, identity, cancellationToken) is not null;

    /// <summary>The account a user's token names if the token still counts for it (one read), else null.</summary>
    public async Task<UserAccount?> CurrentAccountAsync(ClaimsPrincipal principal, CallerIdentity identity, CancellationToken cancellationToken = default)
    {
        var account = await users.FindAsync(identity.Account, cancellationToken);
        return account is not null && IssuedFor(principal, account) ? account : null;
    }

    private static bool IssuedFor(ClaimsPrincipal principal, UserAccount account)
    {
        // Exactly the account the token was issued for (a deleted and re-created user is another account,
        // whatever second it was made in); tokens of the version before carry no such claim: their issue
        // time is compared, to the second.
        if (principal.FindFirst(CallServerClaims.AccountCreated)?.Value is { } created)
        {
            return long.TryParse(created, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) && ticks == account.CreatedAt.UtcTicks;
        }

        var issuedAt = long.TryParse(principal.FindFirst("iat")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.MinValue;
        return issuedAt >= DateTimeOffset.FromUnixTimeSeconds(account.CreatedAt.ToUnixTimeSeconds());
    }
}
