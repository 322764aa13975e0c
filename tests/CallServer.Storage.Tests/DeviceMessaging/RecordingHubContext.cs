using System.Collections.Concurrent;
using CallServer.Hubs;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Storage.Tests.DeviceMessaging;

/// <summary>
/// A hub context that records what is sent to single clients (no SignalR server needed). A connection in
/// <see cref="Stuck"/> never takes its events (a device that stopped reading): sends to it never complete.
/// </summary>
public sealed class RecordingHubContext : IHubContext<CallHub>
{
    public RecordingHubContext()
    {
        Clients = new RecordingClients(this);
    }

    public ConcurrentQueue<(string ConnectionId, string Method, object?[] Arguments)> Sent { get; } = new();

    public ConcurrentDictionary<string, bool> Stuck { get; } = new();

    public IHubClients Clients { get; }

    public IGroupManager Groups => throw new NotSupportedException();

    private sealed class RecordingClients(RecordingHubContext owner) : IHubClients
    {
        public IClientProxy All => throw new NotSupportedException();

        public IClientProxy Client(string connectionId) => new Proxy(owner, connectionId);

        public IClientProxy AllExcept(IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

        public IClientProxy Clients(IReadOnlyList<string> connectionIds) => throw new NotSupportedException();

        public IClientProxy Group(string groupName) => throw new NotSupportedException();

        public IClientProxy GroupExcept(string groupName, IReadOnlyList<string> excludedConnectionIds) => throw new NotSupportedException();

        public IClientProxy Groups(IReadOnlyList<string> groupNames) => throw new NotSupportedException();

        public IClientProxy User(string userId) => throw new NotSupportedException();

        public IClientProxy Users(IReadOnlyList<string> userIds) => throw new NotSupportedException();
    }

    private sealed class Proxy(RecordingHubContext owner, string connectionId) : IClientProxy
    {
        public Task SendCoreAsync(string method, object?[] args, CancellationToken cancellationToken = default)
        {
            if (owner.Stuck.ContainsKey(connectionId))
            {
                return Task.Delay(Timeout.Infinite, cancellationToken);
            }

            owner.Sent.Enqueue((connectionId, method, args));
            return Task.CompletedTask;
        }
    }
}
