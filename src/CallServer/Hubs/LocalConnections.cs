using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Hubs;

/// <summary>The hub connections open on this node, so that the node can close them all at once.</summary>
public sealed class LocalConnections
{
    private readonly ConcurrentDictionary<string, HubCallerContext> connections = new(StringComparer.Ordinal);

    public int Count => connections.Count;

    public void Add(HubCallerContext context) => connections[context.ConnectionId] = context;

    public void Remove(HubCallerContext context) => connections.TryRemove(context.ConnectionId, out _);

    /// <summary>Closes every connection; clients reconnect (to another node) and resume their calls.</summary>
    public int AbortAll()
    {
        var aborted = 0;
        foreach (var context in connections.Values)
        {
            context.Abort();
            aborted++;
        }

        return aborted;
    }
}
