using CallServer.Domain.Addresses;

namespace CallServer.Ports;

/// <summary>The hub connections of an account, on every node.</summary>
public interface IAccountSessions
{
    /// <summary>Closes every connection of <paramref name="account"/> (its user was deleted), on every node, within seconds.</summary>
    Task CloseAllAsync(Address account, CancellationToken cancellationToken = default);
}
