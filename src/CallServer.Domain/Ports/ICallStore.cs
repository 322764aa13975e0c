using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;

namespace CallServer.Domain.Ports;

/// <summary>
/// Where calls live. Saves are compare-and-set on <see cref="Call.Version"/>. Each account's calls that
/// have not ended are indexed in the same atomic step as the save, so that what a command reads of an
/// account costs the same after ten calls as after ten thousand; ended calls stay readable by id for the
/// retention period without being listed.
/// </summary>
public interface ICallStore
{
    Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default);

    /// <summary>
    /// A command's starting point: the call as this node last saved or read it, which may be stale (another
    /// node changed it since), or else as stored. A stale version fails its compare-and-set and is read
    /// again; a command refused, or decided to change nothing, on such a version must be decided again on
    /// one read with <see cref="GetAsync"/>. A store that keeps nothing reads the stored call.
    /// </summary>
    Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves a new call, only if its caller has fewer than <paramref name="maxCallsInProgress"/> calls in
    /// progress (not ended, as caller) at that moment: the check and the save are one atomic step, so
    /// concurrent creates never pass the limit. False if the id is taken or the limit is reached.
    /// <paramref name="timers"/> are scheduled with the save (in the same atomic step where the store can),
    /// so a saved decision never loses its timers.
    /// </summary>
    Task<bool> TryCreateAsync(Call call, int maxCallsInProgress = int.MaxValue, IReadOnlyList<TimerRequest>? timers = null, CancellationToken cancellationToken = default) =>
        TryCreateAsync(call, maxCallsInProgress, timers, null, cancellationToken);

    /// <summary>The same, appending <paramref name="outbox"/> in the same atomic step.</summary>
    Task<bool> TryCreateAsync(Call call, int maxCallsInProgress, IReadOnlyList<TimerRequest>? timers, IReadOnlyList<OutboxMessage>? outbox, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves <paramref name="call"/> only if the stored version is still <paramref name="expectedVersion"/>,
    /// with its <paramref name="timers"/> and its <paramref name="outbox"/> messages (appended to the
    /// <see cref="IOutbox"/> in the same atomic step where the store can); false (nothing saved, scheduled
    /// or appended) when another command won the race.
    /// </summary>
    Task<bool> TrySaveAsync(Call call, long expectedVersion, IReadOnlyList<TimerRequest>? timers, IReadOnlyList<OutboxMessage>? outbox, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves <paramref name="call"/> only if the stored version is still <paramref name="expectedVersion"/>,
    /// with its <paramref name="timers"/>; false (nothing saved, nothing scheduled) when another command won
    /// the race. An ended call leaves the active indexes at once, is kept (readable by id) for the retention
    /// period, then dropped.
    /// </summary>
    Task<bool> TrySaveAsync(Call call, long expectedVersion, IReadOnlyList<TimerRequest>? timers = null, CancellationToken cancellationToken = default) =>
        TrySaveAsync(call, expectedVersion, timers, null, cancellationToken);

    /// <summary>The calls that have not ended in which <paramref name="account"/> takes part (caller, callee or a rung device's account).</summary>
    Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default);

    /// <summary>How many calls <paramref name="caller"/> placed that have not ended.</summary>
    Task<int> CountCallsInProgressAsync(Address caller, CancellationToken cancellationToken = default);

    /// <summary>Throws when the store cannot be reached.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}
