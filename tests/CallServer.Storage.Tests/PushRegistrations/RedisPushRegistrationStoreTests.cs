using CallServer.Adapters.PushRegistrations;
using CallServer.Ports;
using CallServer.Push;
using CallServer.Storage.Tests.Infrastructure;

namespace CallServer.Storage.Tests.PushRegistrations;

public sealed class RedisPushRegistrationStoreTests : PushRegistrationStoreContract, IClassFixture<RedisServer>, IDisposable
{
    private readonly RedisScope redis;

    public RedisPushRegistrationStoreTests(RedisServer server)
    {
        redis = new RedisScope(server);
        Store = new RedisPushRegistrationStore(redis.Connect(), redis.Keys);
        OtherNode = new RedisPushRegistrationStore(redis.Connect(), redis.Keys);
    }

    protected override IPushRegistrationStore Store { get; }

    protected override IPushRegistrationStore OtherNode { get; }

    public void Dispose() => redis.Dispose();
}
