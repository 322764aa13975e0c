using System.Collections.Concurrent;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;

namespace CallServer.Adapters.Users;

public sealed class InMemoryUserDirectory : IUserDirectory
{
    private readonly ConcurrentDictionary<Address, UserAccount> users = new();

    public Task<UserAccount?> FindAsync(Address address, CancellationToken cancellationToken = default) =>
        Task.FromResult(users.GetValueOrDefault(address));

    public Task<bool> TryAddAsync(UserAccount account, CancellationToken cancellationToken = default) =>
        Task.FromResult(users.TryAdd(account.Address, account));

    public Task<bool> TryUpdateAsync(UserAccount account, CancellationToken cancellationToken = default) =>
        Task.FromResult(users.TryGetValue(account.Address, out var stored) && users.TryUpdate(account.Address, account, stored));

    public Task<bool> RemoveAsync(Address address, CancellationToken cancellationToken = default) =>
        Task.FromResult(users.TryRemove(address, out _));

    public Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<UserAccount>>(users.Values.OrderBy(u => u.Address.Value, StringComparer.Ordinal).ToList());
}
