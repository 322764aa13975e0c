using CallServer.Adapters.Outbox;

namespace CallServer.Storage.Tests.Outbox;

/// <summary>One append wakes the worker of every topic (push, history, …), each through its own listener.</summary>
public sealed class OutboxSignalTests
{
    private static readonly TimeSpan Never = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task One_set_wakes_the_first_worker_and_every_listener_whether_it_waits_already_or_later()
    {
        var signal = new OutboxSignal();
        var history = signal.Listen();
        var webhooks = signal.Listen();
        var waiting = history.WaitAsync(Never, CancellationToken.None);

        signal.Set();

        await waiting.WaitAsync(Bound);
        await signal.WaitAsync(Never, CancellationToken.None).WaitAsync(Bound);
        await webhooks.WaitAsync(Never, CancellationToken.None).WaitAsync(Bound);
    }

    [Fact]
    public async Task A_listener_set_by_its_own_worker_wakes_that_worker_alone()
    {
        var signal = new OutboxSignal();
        var history = signal.Listen();
        var other = signal.Listen();
        var first = signal.WaitAsync(Never, CancellationToken.None);
        var otherWaits = other.WaitAsync(Never, CancellationToken.None);

        history.Set();

        await history.WaitAsync(Never, CancellationToken.None).WaitAsync(Bound);

        // Neither of the others was set: a set of the first now wakes both, as the first wake they get.
        Assert.False(first.IsCompleted);
        Assert.False(otherWaits.IsCompleted);
        signal.Set();
        await Task.WhenAll(first, otherWaits).WaitAsync(Bound);
    }
}
