using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;

namespace CallServer.Domain.Ports;

/// <summary>
/// Where calls live. A change is saved by one operation, <see cref="TrySaveAsync"/>: compare-and-set on
/// <see cref="Call.Version"/>, with the change's timers and outbox messages in the same atomic step. Each
/// account's calls that have not ended are indexed in that step too, so that what a command reads of an
/// account costs the same after ten calls as after ten thousand; ended calls stay readable by id for the
/// retention period without being listed. Every operation throws <see cref="StoreUnavailableException"/>
/// when the store cannot be reached (nothing changed).
/// </summary>
public interface ICallStore
{
    Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default);

    /// <summary>
    /// An id for a new call <paramref name="caller"/> places: random, 32 lowercase hex digits. A store that
    /// shards its data picks one whose records sit with the caller's (so that the create's limit check and
    /// the call's own keys are one atomic step).
    /// </summary>
    string NewCallId(Address caller);

    /// <summary>
    /// A command's starting point: the call as this node last saved or read it, which may be stale (another
    /// node changed it since), or else as stored. A stale version fails its compare-and-set and is read
    /// again; a command refused, or decided to change nothing, on such a version must be decided again on
    /// one read with <see cref="GetAsync"/>. A store that keeps nothing reads the stored call.
    /// </summary>
    Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves <paramref name="change"/> whole or not at all. A create (<see cref="CallChange.IsCreate"/>) is
    /// saved only if the id is free and the caller is under <see cref="CallChange.MaxCallsInProgress"/>; an
    /// update only if the stored version is still <see cref="CallChange.ExpectedVersion"/> (an ended call past
    /// its retention is gone). False when refused: nothing saved, scheduled or appended. A call that ends
    /// leaves the active indexes and drops its pending timers in the same step.
    /// </summary>
    Task<bool> TrySaveAsync(CallChange change, CancellationToken cancellationToken = default);

    /// <summary>The calls that have not ended in which <paramref name="account"/> takes part (caller, callee or a rung device's account).</summary>
    Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default);

    /// <summary>
    /// The same without the call <paramref name="except"/>, one the asker has at hand (the call being established
    /// is among its callee's): a store that reads each call does not read that one.
    /// </summary>
    async Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, string except, CancellationToken cancellationToken = default) =>
        [.. (await GetActiveCallsOfAsync(account, cancellationToken)).Where(call => call.CallId != except)];

    /// <summary>How many calls <paramref name="caller"/> placed that have not ended.</summary>
    Task<int> CountCallsInProgressAsync(Address caller, CancellationToken cancellationToken = default);

    /// <summary>Throws <see cref="StoreUnavailableException"/> when the store cannot be reached.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}
