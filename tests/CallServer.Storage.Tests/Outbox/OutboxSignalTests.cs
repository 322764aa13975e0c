using CallServer.Adapters.Outbox;
using CallServer.Domain.Ports;
using CallServer.Outbox;

namespace CallServer.Storage.Tests.Outbox;

/// <summary>An append wakes the workers of its topic, each through its own wake-up, and no other topic's.</summary>
public sealed class OutboxSignalTests
{
    private static readonly TimeSpan Never = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task A_set_wakes_every_worker_of_its_topic_whether_it_waits_already_or_later()
    {
        var signal = new OutboxSignal();
        var first = signal.Listen("history");
        var second = signal.Listen("history");
        var waiting = first.WaitAsync(Never, CancellationToken.None);

        signal.Set("history");

        await waiting.WaitAsync(Bound);
        await second.WaitAsync(Never, CancellationToken.None).WaitAsync(Bound);
    }

    [Fact]
    public async Task A_set_of_one_topic_does_not_wake_the_workers_of_another()
    {
        var signal = new OutboxSignal();
        var push = signal.Listen("push");
        var history = signal.Listen("history");
        var pushWaits = push.WaitAsync(Never, CancellationToken.None);

        signal.Set([new OutboxMessage("history", "call-1", "{}"), new OutboxMessage("history", "call-2", "{}")]);
        await history.WaitAsync(Never, CancellationToken.None).WaitAsync(Bound);
        Assert.False(pushWaits.IsCompleted);

        signal.Set("push");
        await pushWaits.WaitAsync(Bound);
    }

    [Fact]
    public async Task A_worker_that_sets_its_own_wake_up_wakes_itself_alone()
    {
        var signal = new OutboxSignal();
        var own = signal.Listen("push");
        var other = signal.Listen("push");
        var otherWaits = other.WaitAsync(Never, CancellationToken.None);

        own.Set();

        await own.WaitAsync(Never, CancellationToken.None).WaitAsync(Bound);
        Assert.False(otherWaits.IsCompleted);
        signal.Set("push");
        await otherWaits.WaitAsync(Bound);
    }
}
