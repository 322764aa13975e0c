using CallServer.Domain.Addresses;

namespace CallServer.Domain.Ports;

/// <summary>A registered user: its address, password hash and telephone numbers.</summary>
public sealed record UserAccount(string Username, Address Address, string PasswordHash, IReadOnlyList<string> PhoneNumbers, DateTimeOffset CreatedAt);
