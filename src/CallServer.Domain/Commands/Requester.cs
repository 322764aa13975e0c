using CallServer.Domain.Addresses;

namespace CallServer.Domain.Commands;

/// <summary>Who sends a command: the authenticated account and the device (connection) it came from.</summary>
/// <param name="Account">The authenticated address.</param>
/// <param name="DeviceId">The device (connection id); null for a REST request.</param>
public sealed record Requester(Address Account, string? DeviceId);
