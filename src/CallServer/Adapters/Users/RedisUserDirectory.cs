using CallServer.Adapters.Redis;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;
using StackExchange.Redis;

namespace CallServer.Adapters.Users;

/// <summary>Users in Redis: a JSON record per address and a set of all addresses.</summary>
public sealed class RedisUserDirectory(RedisConnection redis, RedisKeys keys) : IUserDirectory
{
    public Task<UserAccount?> FindAsync(Address address, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => Read(await redis.Database.StringGetAsync(keys.User(address.Value))));

    public Task<bool> TryAddAsync(UserAccount account, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var database = redis.Database;
            if (!await database.StringSetAsync(keys.User(account.Address.Value), StoredUserFormat.Write(account), when: When.NotExists))
            {
                return false;
            }

            await database.SetAddAsync(keys.Users, account.Address.Value);
            return true;
        });

    public Task<bool> TryUpdateAsync(UserAccount account, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.StringSetAsync(keys.User(account.Address.Value), StoredUserFormat.Write(account), when: When.Exists));

    public Task<bool> RemoveAsync(Address address, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var database = redis.Database;
            var removed = await database.KeyDeleteAsync(keys.User(address.Value));
            await database.SetRemoveAsync(keys.Users, address.Value);
            return removed;
        });

    public Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<UserAccount>>(async () =>
        {
            var database = redis.Database;
            var addresses = await database.SetMembersAsync(keys.Users);
            var records = await Task.WhenAll(addresses.Select(a => database.StringGetAsync(keys.User(a!))));
            return records.Select(Read).OfType<UserAccount>().OrderBy(u => u.Address.Value, StringComparer.Ordinal).ToList();
        });

    /// <summary>A stored user of any schema this node reads; a newer or broken one refuses the operation (<c>Unavailable</c>).</summary>
    private UserAccount? Read(RedisValue record)
    {
        try
        {
            return record.IsNullOrEmpty ? null : StoredUserFormat.Read(record.ToString());
        }
        catch (StoredFormatException unreadable)
        {
            throw redis.Unreadable(unreadable);
        }
    }
}
