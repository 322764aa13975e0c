using CallServer.Adapters.Calls;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Timers;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace CallServer.Storage.Tests.Calls;

/// <summary>
/// The call store's contract on a Redis Cluster of three primaries (issue 19). The active-call sets of accounts in
/// another shard than the call follow by index messages, which a node's worker applies at once: here each save is
/// followed by applying them, as that worker would.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterCallStoreTests : CallStoreContract, IDisposable
{
    private static readonly TimeSpan Retention = TimeSpan.FromMilliseconds(300);

    private readonly RedisScope redis;

    public ClusterCallStoreTests(RedisClusterServer cluster)
    {
        redis = new RedisScope(cluster);
        var options = Options.Create(new CallsOptions { EndedCallRetention = Retention });
        var index = new IndexApplied(new RedisOutbox(redis.Connect(), redis.Keys), new ActiveIndexUpdate(redis.Connect(), redis.Keys));
        Store = new IndexSettlingStore(new RedisCallStore(redis.Connect(), redis.Keys, options), index);
        OtherNode = new IndexSettlingStore(new RedisCallStore(redis.Connect(), redis.Keys, options), index);
        Timers = new RedisTimerQueue(redis.Connect(), redis.Keys, redis.Options);
    }

    protected override ICallStore Store { get; }

    protected override ICallStore OtherNode { get; }

    protected override ITimerQueue Timers { get; }

    protected override async Task<int> IndexedCallCountAsync(Address account) =>
        (int)await redis.Connect().Database.SetLengthAsync(redis.Keys.ActiveCallsOf(account.Value));

    protected override Task LetRetentionPassAsync(string callId, Func<Task<bool>> gone) =>
        Eventually.TrueAsync(gone, TimeSpan.FromSeconds(10), $"ended call {callId} expires after {Retention}");

    [Fact]
    public async Task A_call_to_an_account_in_another_shard_reaches_its_active_calls_only_by_the_index_message()
    {
        var caller = SampleCalls.User("alice");
        var callee = Enumerable.Range(0, 100).Select(i => SampleCalls.User("bob" + i))
            .First(a => Adapters.Redis.RedisShards.Of(a.Value) != Adapters.Redis.RedisShards.Of(caller.Value));
        var plain = new RedisCallStore(redis.Connect(), redis.Keys, Options.Create(new CallsOptions()));
        var call = SampleCalls.Simple(caller, callee, Clock.GetUtcNow());

        Assert.True(await plain.TryCreateAsync(call));
        Assert.Single(await plain.GetActiveCallsOfAsync(caller)); // the caller's set is in the call's slot
        Assert.Empty(await plain.GetActiveCallsOfAsync(callee));  // the callee's follows

        var outbox = new RedisOutbox(redis.Connect(), redis.Keys);
        var message = Assert.Single(await outbox.TakeAsync(CallSaveScript.IndexTopic, "node-a", 10, TimeSpan.FromMinutes(1)));
        Assert.Equal(call.CallId, message.Message.CallId);
        var update = new ActiveIndexUpdate(redis.Connect(), redis.Keys);
        await update.ApplyAsync(message.Message);
        Assert.Equal([call.CallId], (await plain.GetActiveCallsOfAsync(callee)).Select(c => c.CallId));

        // Applied late, after the call ended: the call leaves the set rather than join it.
        Assert.True(await plain.TrySaveAsync(call with { Version = 2, Phase = CallPhase.Ended, EndedAt = Clock.GetUtcNow() }, 1));
        await update.ApplyAsync(message.Message);
        Assert.Equal(0, await IndexedCallCountAsync(callee));
    }

    public void Dispose() => redis.Dispose();

    /// <summary>Applies every index message left, as a node's worker does at once after its save.</summary>
    private sealed class IndexApplied(RedisOutbox outbox, ActiveIndexUpdate update)
    {
        public async Task DrainAsync()
        {
            IReadOnlyList<OutboxEntry> taken;
            do
            {
                taken = await outbox.TakeAsync(CallSaveScript.IndexTopic, "settling", 100, TimeSpan.FromMinutes(1));
                foreach (var entry in taken)
                {
                    await update.ApplyAsync(entry.Message);
                    await outbox.AcknowledgeAsync(CallSaveScript.IndexTopic, entry.Id);
                }
            }
            while (taken.Count > 0);
        }
    }

    private sealed class IndexSettlingStore(RedisCallStore inner, IndexApplied index) : ICallStore
    {
        public string NewCallId(Address caller) => inner.NewCallId(caller);

        public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) => inner.GetAsync(callId, cancellationToken);

        public Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default) => inner.GetLastSeenAsync(callId, cancellationToken);

        public async Task<bool> TrySaveAsync(CallChange change, CancellationToken cancellationToken = default)
        {
            var saved = await inner.TrySaveAsync(change, cancellationToken);
            await index.DrainAsync();
            return saved;
        }

        public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default) => inner.GetActiveCallsOfAsync(account, cancellationToken);

        public Task<int> CountCallsInProgressAsync(Address caller, CancellationToken cancellationToken = default) => inner.CountCallsInProgressAsync(caller, cancellationToken);

        public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);
    }
}
