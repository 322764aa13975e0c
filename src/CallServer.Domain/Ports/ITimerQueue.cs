using CallServer.Domain.Calls;

namespace CallServer.Domain.Ports;

/// <summary>A timer of a call, as stored.</summary>
public sealed record DueTimer(string CallId, TimerRequest Request)
{
    /// <summary>One timer per call, kind and token: scheduling it twice keeps one.</summary>
    public string Key => $"{CallId}|{Request.Kind}|{Request.Token}";
}

/// <summary>Timers kept as data: any node may claim a due one, and each is claimed once.</summary>
public interface ITimerQueue
{
    Task ScheduleAsync(DueTimer timer, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes up to <paramref name="max"/> timers due at <paramref name="now"/>. A claimed timer is not handed
    /// out again unless its claimer fails to <see cref="CompleteAsync"/> it within the claim lease (a node that
    /// died): then it is handed out once more, so no timer is lost. Firing is idempotent (the decider ignores
    /// stale tokens), so a second firing is harmless.
    /// </summary>
    Task<IReadOnlyList<DueTimer>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default);

    /// <summary>The claimed timer fired: forget it.</summary>
    Task CompleteAsync(DueTimer timer, CancellationToken cancellationToken = default);
}
