using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Adapters.Calls;
using CallServer.Adapters.Redis;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace CallServer.Storage.Tests.Calls;

public sealed class RedisCallStoreTests : CallStoreContract, IClassFixture<RedisServer>, IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromMilliseconds(300);

    private readonly RedisScope redis;

    public RedisCallStoreTests(RedisServer server)
    {
        redis = new RedisScope(server);
        var options = Options.Create(new CallsOptions { EndedCallRetention = Retention });
        Store = new RedisCallStore(redis.Connect(), redis.Keys, options);
        OtherNode = new RedisCallStore(redis.Connect(), redis.Keys, options);
        Server = server;
    }

    protected override ICallStore Store { get; }

    protected override ICallStore OtherNode { get; }

    private RedisServer Server { get; }

    protected override Task LetRetentionPassAsync(string callId, Func<Task<bool>> gone) =>
        Eventually.TrueAsync(gone, TimeSpan.FromSeconds(10), $"ended call {callId} expires after {Retention}");

    [Fact]
    public async Task An_ongoing_call_has_no_expiry_and_an_ended_one_expires_within_the_retention()
    {
        var call = SampleCalls.Simple(SampleCalls.User("alice"), SampleCalls.User("bob"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);
        var key = (string)redis.Keys.Call(call.CallId)!;

        Assert.Equal(-1L, await Server.ExecuteAsync("PTTL", key));

        await Store.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Ended, EndedAt = Clock.GetUtcNow() }, 1);
        var ttl = (long)(await Server.ExecuteAsync("PTTL", key))!;
        Assert.InRange(ttl, 1, (long)Retention.TotalMilliseconds);
    }

    [Fact]
    public async Task A_call_is_stored_under_the_configured_key_prefix()
    {
        var call = SampleCalls.Simple(SampleCalls.User("alice"), SampleCalls.User("bob"), Clock.GetUtcNow());
        await Store.TryCreateAsync(call);

        var keys = (List<object?>)(await Server.ExecuteAsync("KEYS", redis.Options.Value.KeyPrefix + "*"))!;
        Assert.Equal(3, keys.Count); // the call and the two account indexes
    }

    public void Dispose() => redis.Dispose();
}
