using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;

namespace CallServer.Domain.Ports;

/// <summary>Where calls live. Saves are compare-and-set on <see cref="Call.Version"/>.</summary>
public interface ICallStore
{
    Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default);

    /// <summary>Saves a new call; false if the id is taken.</summary>
    Task<bool> TryCreateAsync(Call call, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves <paramref name="call"/> only if the stored version is still <paramref name="expectedVersion"/>;
    /// false when another command won the race. An ended call is kept for the retention period, then dropped.
    /// </summary>
    Task<bool> TrySaveAsync(Call call, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>The calls in which <paramref name="account"/> takes part (any state; ended ones until they expire).</summary>
    Task<IReadOnlyList<Call>> GetCallsOfAsync(Address account, CancellationToken cancellationToken = default);

    /// <summary>Throws when the store cannot be reached.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);
}
