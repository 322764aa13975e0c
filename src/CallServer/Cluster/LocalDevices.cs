using System.Collections.Concurrent;

namespace CallServer.Cluster;

/// <summary>The devices (connections) connected to this node.</summary>
public sealed class LocalDevices
{
    private readonly ConcurrentDictionary<string, string> accounts = new(StringComparer.Ordinal);

    public int Count => accounts.Count;

    public void Add(string deviceId, string account) => accounts[deviceId] = account;

    public void Remove(string deviceId) => accounts.TryRemove(deviceId, out _);

    public bool Contains(string deviceId) => accounts.ContainsKey(deviceId);

    /// <summary>Every local device with its account.</summary>
    public IReadOnlyList<(string DeviceId, string Account)> All() => accounts.Select(pair => (pair.Key, pair.Value)).ToList();
}
