using System.Collections.Concurrent;

namespace CallServer.Cluster;

/// <summary>
/// The one registry of the hub connections (devices) open on this node: each with its account and a way
/// to close it. Delivery asks it whether a device is here, the heartbeat re-registers or reconciles from
/// it, a reaped node closes everything in it.
/// </summary>
public sealed class LocalConnections
{
    private readonly ConcurrentDictionary<string, LocalConnection> connections = new(StringComparer.Ordinal);

    public int Count => connections.Count;

    public void Add(string deviceId, string account, Action abort) => connections[deviceId] = new LocalConnection(deviceId, account, abort);

    public void Remove(string deviceId) => connections.TryRemove(deviceId, out _);

    public bool Contains(string deviceId) => connections.ContainsKey(deviceId);

    /// <summary>Every connection of this node with its account.</summary>
    public IReadOnlyList<LocalConnection> All() => [.. connections.Values];

    /// <summary>Closes one connection, if it is here.</summary>
    public void Abort(string deviceId)
    {
        if (connections.TryGetValue(deviceId, out var connection))
        {
            connection.Abort();
        }
    }

    /// <summary>Closes every connection of one account; returns how many.</summary>
    public int AbortAccount(string account)
    {
        var aborted = 0;
        foreach (var connection in connections.Values)
        {
            if (string.Equals(connection.Account, account, StringComparison.Ordinal))
            {
                connection.Abort();
                aborted++;
            }
        }

        return aborted;
    }

    /// <summary>Closes every connection; clients reconnect (to another node) and resume their calls.</summary>
    public int AbortAll()
    {
        var aborted = 0;
        foreach (var connection in connections.Values)
        {
            connection.Abort();
            aborted++;
        }

        return aborted;
    }
}

/// <summary>A hub connection of this node: the device id (its connection id), its account, and how to close it.</summary>
public sealed record LocalConnection(string DeviceId, string Account, Action Abort);
