using CallServer.Application;
using CallServer.Cluster;
using CallServer.Domain.Addresses;
using CallServer.Hubs;
using CallServer.Ports;

namespace CallServer.Adapters.AccountSessions;

/// <summary>One node: the account's connections are all here.</summary>
public sealed class LocalAccountSessions(LocalConnections connections) : IAccountSessions
{
    public Task CloseAllAsync(Address account, CancellationToken cancellationToken = default)
    {
        connections.AbortAccount(account.Value);
        return Task.CompletedTask;
    }
}
