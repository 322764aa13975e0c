using Microsoft.Extensions.Time.Testing;

namespace CallServer.Tests.Shell;

/// <summary>
/// A <see cref="FakeTimeProvider"/> (time moves only on <see cref="FakeTimeProvider.Advance"/>, which fires
/// the timers that come due) that also counts the timers made on it, so that a test can wait until the code
/// under test is parked in a wait (a poll, a delay, a periodic timer) before it moves time.
/// </summary>
public sealed class ObservedClock() : FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero))
{
    private readonly Conditions changes = new();
    private int created;

    /// <summary>Timers made so far.</summary>
    public int TimersCreated => Volatile.Read(ref created);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref created);
        changes.Notify();
        return timer;
    }

    /// <summary>Completes once <paramref name="count"/> timers were made in all.</summary>
    public Task UntilTimersCreated(int count) => changes.Until(() => TimersCreated >= count, $"{count} timers made on the clock");
}
