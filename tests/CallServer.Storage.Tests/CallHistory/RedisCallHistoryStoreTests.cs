using CallServer.Adapters.CallHistory;
using CallServer.Domain.Errors;
using CallServer.History;
using CallServer.Ports;
using CallServer.Storage.Tests.Infrastructure;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.CallHistory;

public sealed class RedisCallHistoryStoreTests : CallHistoryStoreContract, IClassFixture<RedisServer>, IDisposable
{
    private readonly RedisScope redis;

    public RedisCallHistoryStoreTests(RedisServer server)
    {
        redis = new RedisScope(server);
        Store = new RedisCallHistoryStore(redis.Connect(), redis.Keys);
        OtherNode = new RedisCallHistoryStore(redis.Connect(), redis.Keys);
    }

    protected override ICallHistoryStore Store { get; }

    protected override ICallHistoryStore OtherNode { get; }

    [Fact]
    public async Task The_keys_of_an_account_expire_when_its_newest_entry_or_mark_becomes_too_old_and_go_when_it_is_deleted()
    {
        var bounds = new CallHistoryBounds(10, At(-3600));
        await Store.AddAsync(User("bob"), Entry("older", At(-1800)), bounds);
        await Store.AddAsync(User("bob"), Entry("newest", At(-600)), bounds);

        // The newest entry ended 600 s ago and may be 3600 s old: both keys live 3000 s more.
        var database = redis.Connect().Database;
        foreach (var key in new[] { redis.Keys.CallHistoryIndex(User("bob").Value), redis.Keys.CallHistoryEntries(User("bob").Value) })
        {
            var ttl = await database.KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            Assert.InRange(ttl.Value, TimeSpan.FromSeconds(2990), TimeSpan.FromSeconds(3000.001));
        }

        // A clear leaves only its mark, which lives as long as an entry of its time could be kept (an hour).
        Assert.True(await OtherNode.ClearAsync(User("bob"), At(0), bounds));
        Assert.False(await database.KeyExistsAsync(redis.Keys.CallHistoryIndex(User("bob").Value)));
        Assert.False(await database.KeyExistsAsync(redis.Keys.CallHistoryEntries(User("bob").Value)));
        var marks = await database.KeyTimeToLiveAsync(redis.Keys.CallHistoryDeleted(User("bob").Value));
        Assert.NotNull(marks);
        Assert.InRange(marks.Value, TimeSpan.FromSeconds(3590), TimeSpan.FromSeconds(3600.001));

        Assert.False(await OtherNode.DeleteAsync(User("bob")));
        Assert.False(await database.KeyExistsAsync(redis.Keys.CallHistoryDeleted(User("bob").Value)));
    }

    [Fact]
    public async Task An_entry_of_a_newer_schema_is_refused_Unavailable_and_left_as_it_is()
    {
        await Store.AddAsync(User("bob"), Entry("call-1", At(1)), new CallHistoryBounds(10, DateTimeOffset.UnixEpoch));
        var database = redis.Connect().Database;
        var entries = redis.Keys.CallHistoryEntries(User("bob").Value);
        var newer = """{"schema":2,"callId":"call-1","somethingNew":true}""";
        await database.HashSetAsync(entries, "call-1", newer);

        await Assert.ThrowsAsync<CallServer.Domain.Ports.StoreUnavailableException>(
            () => OtherNode.ListAsync(User("bob"), new CallHistoryPage(10, null), DateTimeOffset.UnixEpoch));
        Assert.Equal(newer, (string?)await database.HashGetAsync(entries, "call-1"));
    }

    public void Dispose() => redis.Dispose();
}
