using CallServer.Domain.Ports;

namespace CallServer.Adapters.Timers;

/// <summary>Due timers ordered by due time; a claimed timer is removed, so it fires once.</summary>
public sealed class InMemoryTimerQueue : ITimerQueue
{
    private readonly Lock gate = new();
    private readonly PriorityQueue<DueTimer, DateTimeOffset> queue = new();
    private readonly Dictionary<string, DateTimeOffset> scheduled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> keysByCall = new(StringComparer.Ordinal);

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
                if (!keysByCall.TryGetValue(timer.CallId, out var keys))
                {
                    keysByCall[timer.CallId] = keys = [];
                }

                keys.Add(timer.Key);
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

                // A timer of a call that ended was dropped: it leaves the queue without firing.
                if (scheduled.Remove(timer.Key))
                {
                    Forget(timer.CallId, timer.Key);
                    due.Add(timer);
                }
            }
        }

        return Task.FromResult<IReadOnlyList<DueTimer>>(due);
    }

    /// <summary>Drops every timer of a call that ended: none of them would do anything.</summary>
    public void DropTimersOf(string callId)
    {
        lock (gate)
        {
            if (keysByCall.Remove(callId, out var keys))
            {
                foreach (var key in keys)
                {
                    scheduled.Remove(key);
                }
            }
        }
    }

    private void Forget(string callId, string key)
    {
        if (keysByCall.TryGetValue(callId, out var keys) && keys.Remove(key) && keys.Count == 0)
        {
            keysByCall.Remove(callId);
        }
    }

    /// <summary>Nothing to do: a claimed timer was removed already (one process, nothing to survive).</summary>
    public Task CompleteAsync(DueTimer timer, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
