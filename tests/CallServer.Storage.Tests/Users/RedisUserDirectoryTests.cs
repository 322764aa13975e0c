using CallServer.Domain.Ports;
using CallServer.Adapters.Users;
using CallServer.Adapters.Redis;
using CallServer.Storage.Tests.Infrastructure;

namespace CallServer.Storage.Tests.Users;

public sealed class RedisUserDirectoryTests : UserDirectoryContract, IClassFixture<RedisServer>, IDisposable
{
    private readonly RedisScope redis;

    public RedisUserDirectoryTests(RedisServer server)
    {
        redis = new RedisScope(server);
        Directory = new RedisUserDirectory(redis.Connect(), redis.Keys);
    }

    protected override IUserDirectory Directory { get; }

    public void Dispose() => redis.Dispose();
}
