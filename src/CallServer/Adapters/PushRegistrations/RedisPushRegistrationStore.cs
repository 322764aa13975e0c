using CallServer.Adapters.Redis;
using CallServer.Domain.Addresses;
using CallServer.Ports;
using CallServer.Push;
using StackExchange.Redis;

namespace CallServer.Adapters.PushRegistrations;

/// <summary>Push registrations in Redis: a hash per account (<c>push:&lt;account&gt;</c>), registration id → stored JSON.</summary>
public sealed class RedisPushRegistrationStore(RedisConnection redis, RedisKeys keys) : IPushRegistrationStore
{
    // KEYS[1] the account's hash; ARGV[1] the id, [2] the record, [3] the most registrations. 1 stored, 0 limit.
    private const string PutScript = """
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        return 1
        """;

    // KEYS[1] the account's hash; ARGV[1] the id, [2] the record as it was read. 1 deleted.
    private const string DeleteIfUnchangedScript = """
        if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
        return 0
        """;

    public Task<PushRegistrationPut> PutAsync(PushRegistration registration, int maxPerAccount, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var stored = (int)await redis.Database.ScriptEvaluateAsync(
                PutScript,
                [keys.PushRegistrations(registration.Account.Value)],
                [registration.RegistrationId, StoredPushRegistration.Write(registration), maxPerAccount]);
            return stored == 1 ? PushRegistrationPut.Stored : PushRegistrationPut.LimitReached;
        });

    public Task<IReadOnlyList<PushRegistration>> ListAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<PushRegistration>>(async () =>
        {
            var entries = await redis.Database.HashGetAllAsync(keys.PushRegistrations(account.Value));
            return entries.Select(e => Read(e.Value)).OrderBy(r => r.RegistrationId, StringComparer.Ordinal).ToList();
        });

    public Task<bool> HasAnyAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => await redis.Database.HashLengthAsync(keys.PushRegistrations(account.Value)) > 0);

    public Task<bool> DeleteAsync(Address account, string registrationId, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.HashDeleteAsync(keys.PushRegistrations(account.Value), registrationId));

    public Task<bool> DeleteIfUnchangedAsync(PushRegistration registration, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => (int)await redis.Database.ScriptEvaluateAsync(
            DeleteIfUnchangedScript,
            [keys.PushRegistrations(registration.Account.Value)],
            [registration.RegistrationId, StoredPushRegistration.Write(registration)]) == 1);

    public Task DeleteAllAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.KeyDeleteAsync(keys.PushRegistrations(account.Value)));

    private PushRegistration Read(RedisValue value)
    {
        try
        {
            return StoredPushRegistration.Read(value.ToString());
        }
        catch (Exception unreadable) when (unreadable is StoredFormatException or System.Text.Json.JsonException or ArgumentException)
        {
            throw redis.Unreadable(new StoredFormatException($"a push registration is unreadable: {unreadable.Message}"));
        }
    }
}
