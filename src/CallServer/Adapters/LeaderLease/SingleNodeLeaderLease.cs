using CallServer.Ports;

namespace CallServer.Adapters.LeaderLease;

/// <summary>One node (in memory): it is always the leader.</summary>
public sealed class SingleNodeLeaderLease : ILeaderLease
{
    public TimeSpan RetryInterval => TimeSpan.FromSeconds(1);

    public Task<LeaderTerm?> TryAcquireAsync(CancellationToken cancellationToken) => Task.FromResult<LeaderTerm?>(new EndlessTerm());

    private sealed class EndlessTerm : LeaderTerm;
}
