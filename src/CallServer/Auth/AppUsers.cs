using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Auth;

/// <summary>
/// Users the app vouches for (a token its backend minted, or one of its identity provider): the account is
/// created on first use, with no password (it can never sign in with one), and is then a full user.
/// </summary>
public sealed class AppUsers(IUserDirectory users, IOptions<CallsOptions> calls, IOptions<PstnOptions> pstn, TimeProvider clock)
{
    /// <summary>Why <paramref name="username"/> cannot be an app's user, or null when it can.</summary>
    public string? Refusal(string? username) =>
        !Address.IsValidUsername(username)
            ? "a username is 1 to 64 letters, digits, '.', '_' or '-', and does not start with 'anonymous-'"
            : IsReserved(username!)
            ? $"'{username}' is reserved"
            : null;

    /// <summary>The account of <paramref name="address"/>, created now (no password) if there is none.</summary>
    public async Task<UserAccount> EnsureAsync(Address address, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await users.FindAsync(address, cancellationToken) is { } existing)
            {
                return existing;
            }

            var account = new UserAccount(address.LocalPart, address, string.Empty, [], clock.GetUtcNow());
            if (await users.TryAddAsync(account, cancellationToken))
            {
                return account;
            }
        }

        // Created and deleted around us three times: the directory is not settling.
        throw new Domain.Ports.StoreUnavailableException($"the account {address} could not be created");
    }

    /// <summary>The PSTN gateway's user is CallServer's own: no app may vouch for it.</summary>
    private bool IsReserved(string username) =>
        Address.TryParse(pstn.Value.GatewayUser, calls.Value.DefaultDomain, out var gateway)
        && string.Equals(username, gateway.LocalPart, StringComparison.OrdinalIgnoreCase);
}
