using CallServer.Domain.Addresses;

namespace CallServer.Domain.Ports;

/// <summary>The registered users.</summary>
public interface IUserDirectory
{
    Task<UserAccount?> FindAsync(Address address, CancellationToken cancellationToken = default);

    /// <summary>Adds a user; false if the address is taken.</summary>
    Task<bool> TryAddAsync(UserAccount account, CancellationToken cancellationToken = default);

    /// <summary>Replaces a user's record (the same address); false if there is no such user.</summary>
    Task<bool> TryUpdateAsync(UserAccount account, CancellationToken cancellationToken = default);

    Task<bool> RemoveAsync(Address address, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default);
}
