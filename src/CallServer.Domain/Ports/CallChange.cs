using CallServer.Domain.Calls;

namespace CallServer.Domain.Ports;

/// <summary>
/// One decided change of a call, as the store saves it in one atomic step: the call after the change, the
/// version it was decided from (<see cref="CreatedVersion"/>: none, a new call), the timers the decision
/// asked for, and the outbox messages that must leave the server because of it. A store saves all of it or
/// nothing, so a saved decision never loses its timers or its messages.
/// </summary>
public sealed record CallChange
{
    /// <summary>The expected version of a create: no call of that id may exist.</summary>
    public const long CreatedVersion = 0;

    private CallChange(Call call, long expectedVersion, int maxCallsInProgress, IReadOnlyList<TimerRequest> timers, IReadOnlyList<OutboxMessage> outbox)
    {
        Call = call;
        ExpectedVersion = expectedVersion;
        MaxCallsInProgress = maxCallsInProgress;
        Timers = timers;
        Outbox = outbox;
    }

    /// <summary>The call after the change.</summary>
    public Call Call { get; }

    /// <summary>The stored version the change was decided from; <see cref="CreatedVersion"/> for a new call.</summary>
    public long ExpectedVersion { get; }

    /// <summary>
    /// A create is saved only while its caller has fewer calls in progress (not ended, as caller) than this,
    /// checked in the same atomic step, so concurrent creates never pass the limit. Unlimited for an update.
    /// </summary>
    public int MaxCallsInProgress { get; }

    /// <summary>Timers scheduled with the save.</summary>
    public IReadOnlyList<TimerRequest> Timers { get; }

    /// <summary>Messages appended to the <see cref="IOutbox"/> with the save.</summary>
    public IReadOnlyList<OutboxMessage> Outbox { get; }

    public bool IsCreate => ExpectedVersion == CreatedVersion;

    /// <summary>A new call, saved only if its id is free and its caller under <paramref name="maxCallsInProgress"/>.</summary>
    public static CallChange Create(Call call, int maxCallsInProgress, IReadOnlyList<TimerRequest>? timers = null, IReadOnlyList<OutboxMessage>? outbox = null) =>
        new(call, CreatedVersion, maxCallsInProgress > 0 ? maxCallsInProgress : throw new ArgumentOutOfRangeException(nameof(maxCallsInProgress), "a caller may have at least one call"), timers ?? [], outbox ?? []);

    /// <summary>A change of a stored call, saved only if the stored version is still <paramref name="expectedVersion"/>.</summary>
    public static CallChange Update(Call call, long expectedVersion, IReadOnlyList<TimerRequest>? timers = null, IReadOnlyList<OutboxMessage>? outbox = null) =>
        new(call, expectedVersion > CreatedVersion ? expectedVersion : throw new ArgumentOutOfRangeException(nameof(expectedVersion), "an update changes a stored version"), int.MaxValue, timers ?? [], outbox ?? []);
}
