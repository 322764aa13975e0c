using System.Collections.Concurrent;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;

namespace CallServer.Application;

/// <summary>
/// The users that calls look up (the caller's profile, the callee's existence), kept for a short while:
/// accounts change rarely, calls are many, and each lookup was a store round trip. Only found users are
/// kept (a user created a moment ago is found at once); a deleted one may still be found for
/// <see cref="Lifetime"/> on a node that looked it up just before. Logins and the account check of a new
/// connection always read the store.
/// </summary>
public sealed class RecentUsers(IUserDirectory users, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    private const int MaxUsers = 50_000;

    private readonly ConcurrentDictionary<Address, (UserAccount User, DateTimeOffset Until)> recent = new();

    public async Task<UserAccount?> FindAsync(Address address, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (recent.TryGetValue(address, out var kept) && kept.Until > now)
        {
            return kept.User;
        }

        var user = await users.FindAsync(address, cancellationToken);
        if (user is null)
        {
            recent.TryRemove(address, out _);
            return null;
        }

        if (recent.Count >= MaxUsers)
        {
            recent.Clear();
        }

        recent[address] = (user, now + Lifetime);
        return user;
    }

    /// <summary>Forgets a user this node deleted or changed.</summary>
    public void Forget(Address address) => recent.TryRemove(address, out _);
}
