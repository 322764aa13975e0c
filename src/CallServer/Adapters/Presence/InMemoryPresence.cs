using System.Collections.Concurrent;
using System.Collections.Immutable;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;

namespace CallServer.Adapters.Presence;

/// <summary>Every connected device of every account on this node.</summary>
public sealed class InMemoryPresence : IPresence
{
    private readonly ConcurrentDictionary<Address, ImmutableHashSet<string>> devices = new();

    public Task<bool> AddAsync(Address account, string deviceId, int maxDevices = int.MaxValue, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (!devices.TryGetValue(account, out var set))
            {
                if (maxDevices < 1)
                {
                    return Task.FromResult(false);
                }

                if (devices.TryAdd(account, [deviceId]))
                {
                    return Task.FromResult(true);
                }

                continue;
            }

            if (set.Count >= maxDevices && !set.Contains(deviceId))
            {
                return Task.FromResult(false);
            }

            if (devices.TryUpdate(account, set.Add(deviceId), set))
            {
                return Task.FromResult(true);
            }
        }
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
