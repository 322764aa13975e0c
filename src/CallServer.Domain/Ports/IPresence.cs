using CallServer.Domain.Addresses;

namespace CallServer.Domain.Ports;

/// <summary>Which devices (connections) each account has connected now.</summary>
public interface IPresence
{
    Task AddAsync(Address account, string deviceId, CancellationToken cancellationToken = default);

    Task RemoveAsync(Address account, string deviceId, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> GetDevicesAsync(Address account, CancellationToken cancellationToken = default);
}
