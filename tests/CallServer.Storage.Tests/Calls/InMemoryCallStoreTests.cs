using CallServer.Adapters.Calls;
using CallServer.Adapters.Timers;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace CallServer.Storage.Tests.Calls;

public sealed class InMemoryCallStoreTests : CallStoreContract
{
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);

    private readonly InMemoryCallStore store;
    private readonly InMemoryTimerQueue timers = new();

    public InMemoryCallStoreTests()
    {
        store = new InMemoryCallStore(Options.Create(new CallsOptions { EndedCallRetention = Retention }), Clock, timers, new Adapters.Outbox.InMemoryOutbox(Clock));
    }

    protected override ICallStore Store => store;

    protected override ICallStore OtherNode => store;

    protected override ITimerQueue Timers => timers;

    protected override async Task<int> IndexedCallCountAsync(Domain.Addresses.Address account) =>
        (await store.GetActiveCallsOfAsync(account)).Count;

    protected override async Task LetRetentionPassAsync(string callId, Func<Task<bool>> gone)
    {
        Clock.Advance(Retention - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(await store.GetAsync(callId));
        Assert.False(await gone());

        Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(await gone());
    }

    [Fact]
    public async Task Purging_drops_only_the_expired_ended_calls()
    {
        var alice = SampleCalls.User("alice");
        var ongoing = SampleCalls.Simple(alice, SampleCalls.User("bob"), Clock.GetUtcNow());
        var ended = SampleCalls.Simple(alice, SampleCalls.User("carol"), Clock.GetUtcNow());
        await store.TryCreateAsync(ongoing);
        await store.TryCreateAsync(ended);
        await store.TrySaveAsync(ended with { Version = 2, Phase = CallPhase.Ended, EndedAt = Clock.GetUtcNow() }, 1);

        Assert.Equal(0, store.PurgeExpired());
        Clock.Advance(Retention + TimeSpan.FromHours(1));

        Assert.Equal(1, store.PurgeExpired());
        Assert.Equal(1, store.Count);
        Assert.NotNull(await store.GetAsync(ongoing.CallId));
        Assert.Equal([ongoing.CallId], (await store.GetActiveCallsOfAsync(alice)).Select(c => c.CallId));
        Assert.Empty(await store.GetActiveCallsOfAsync(SampleCalls.User("carol")));
    }
}
