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

    /// <summary>Takes up to <paramref name="max"/> timers due at <paramref name="now"/>; a claimed timer is not handed out again.</summary>
    Task<IReadOnlyList<DueTimer>> ClaimDueAsync(DateTimeOffset now, int max, CancellationToken cancellationToken = default);
}
