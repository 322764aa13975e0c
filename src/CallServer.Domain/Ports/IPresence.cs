using CallServer.Domain.Addresses;

namespace CallServer.Domain.Ports;

/// <summary>Which devices (connections) each account has connected now.</summary>
public interface IPresence
{
    /// <summary>
    /// Adds a device, unless its account already has <paramref name="maxDevices"/> devices (checked and
    /// added in one atomic step); false when refused.
    /// </summary>
    Task<bool> AddAsync(Address account, string deviceId, int maxDevices = int.MaxValue, CancellationToken cancellationToken = default);

    Task RemoveAsync(Address account, string deviceId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> GetDevicesAsync(Address account, CancellationToken cancellationToken = default);
}
