using CallServer.Domain.Ports;

namespace CallServer.Adapters.Timers;

/// <summary>Due timers ordered by due time; a claimed timer is removed, so it fires once.</summary>
public sealed class InMemoryTimerQueue : ITimerQueue
{
    private readonly Lock gate = new();
    private readonly PriorityQueue<DueTimer, DateTimeOffset> queue = new();
    private readonly Dictionary<string, DateTimeOffset> scheduled = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            lock (gate)
            {
                return scheduled.Count;
            }
        }
    }

    public Task ScheduleAsync(DueTimer timer, CancellationToken cancellationToken = default)
    {
        Schedule(timer);
        return Task.CompletedTask;
    }

    public void Schedule(DueTimer timer)
    {
        lock (gate)
        {
            if (scheduled.TryAdd(timer.Key, timer.Request.DueAt))
            {
                queue.Enqueue(timer, timer.Request.DueAt);
            }
        }
    }

    public Task<IReadOnlyList<DueTimer>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default)
    {
        var due = new List<DueTimer>();
        lock (gate)
        {
            while (due.Count < max && queue.TryPeek(out var timer, out var dueAt) && dueAt <= now)
            {
                queue.Dequeue();
                scheduled.Remove(timer.Key);
                due.Add(timer);
            }
        }

        return Task.FromResult<IReadOnlyList<DueTimer>>(due);
    }

    /// <summary>Nothing to do: a claimed timer was removed already (one process, nothing to survive).</summary>
    public Task CompleteAsync(DueTimer timer, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
