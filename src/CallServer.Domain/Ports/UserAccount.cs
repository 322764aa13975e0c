using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;

namespace CallServer.Domain.Ports;

/// <summary>A registered user: its address, password hash and telephone numbers.</summary>
public sealed record UserAccount(string Username, Address Address, string PasswordHash, IReadOnlyList<string> PhoneNumbers, DateTimeOffset CreatedAt)
{
    /// <summary>Rule 22: this user's busy policy; null follows <c>Calls:BusyPolicy</c>.</summary>
    public BusyPolicy? BusyPolicy { get; init; }
}
