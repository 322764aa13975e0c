using CallServer.Domain.Ports;
using CallServer.Adapters.Timers;

namespace CallServer.Storage.Tests.Timers;

public sealed class InMemoryTimerQueueTests : TimerQueueContract
{
    private readonly InMemoryTimerQueue queue = new();

    protected override ITimerQueue Queue => queue;

    protected override ITimerQueue OtherNode => queue;

    [Fact]
    public async Task Count_tracks_the_scheduled_timers()
    {
        await queue.ScheduleAsync(Timer("c1", T0));
        await queue.ScheduleAsync(Timer("c1", T0));
        await queue.ScheduleAsync(Timer("c2", T0.AddSeconds(5)));
        Assert.Equal(2, queue.Count);

        await queue.ClaimDueAsync(T0, 10);

        Assert.Equal(1, queue.Count);
    }
}
