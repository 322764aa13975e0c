using CallServer.Adapters.Calls;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Timers;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Storage.Tests.Outbox;

public sealed class InMemoryOutboxTests : OutboxContract
{
    protected override TimeSpan ClaimAfter { get; } = TimeSpan.FromSeconds(5);

    private readonly InMemoryOutbox outbox;

    public InMemoryOutboxTests()
    {
        outbox = new InMemoryOutbox(Clock);
        Store = new InMemoryCallStore(Options.Create(new CallsOptions()), Clock, new InMemoryTimerQueue(), outbox);
    }

    protected override ICallStore Store { get; }

    protected override IOutbox Outbox => outbox;

    protected override IOutbox OtherNode => outbox;

    protected override Task LetClaimPeriodPassAsync()
    {
        Clock.Advance(ClaimAfter);
        return Task.CompletedTask;
    }
}
