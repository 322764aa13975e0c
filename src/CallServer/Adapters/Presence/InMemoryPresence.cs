using System.Collections.Concurrent;
using System.Collections.Immutable;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;

namespace CallServer.Adapters.Presence;

/// <summary>Every connected device of every account on this node.</summary>
public sealed class InMemoryPresence : IPresence
{
    private readonly ConcurrentDictionary<Address, ImmutableHashSet<string>> devices = new();

    public Task AddAsync(Address account, string deviceId, CancellationToken cancellationToken = default)
    {
        devices.AddOrUpdate(account, _ => [deviceId], (_, set) => set.Add(deviceId));
        return Task.CompletedTask;
    }

    public Task RemoveAsync(Address account, string deviceId, CancellationToken cancellationToken = default)
    {
        while (devices.TryGetValue(account, out var set))
        {
            var next = set.Remove(deviceId);
            var done = next.IsEmpty
                ? devices.TryRemove(new KeyValuePair<Address, ImmutableHashSet<string>>(account, set))
                : devices.TryUpdate(account, next, set);
            if (done)
            {
                break;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> GetDevicesAsync(Address account, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(devices.TryGetValue(account, out var set) ? [.. set] : []);
}
