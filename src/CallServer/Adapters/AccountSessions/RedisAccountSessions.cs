using CallServer.Adapters.Redis;
using CallServer.Application;
using CallServer.Domain.Addresses;
using CallServer.Ports;

namespace CallServer.Adapters.AccountSessions;

/// <summary>Many nodes: the account is published on the channel every node's <see cref="ClosedAccountsListener"/> reads.</summary>
public sealed class RedisAccountSessions(RedisConnection redis, RedisKeys keys) : IAccountSessions
{
    public Task CloseAllAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Subscriber.PublishAsync(keys.ClosedAccountsChannel, account.Value));
}
