using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;

namespace CallServer.Domain.Commands;

/// <summary>
/// What the directory said of a dialed address: whose devices would ring (the user itself, or the
/// PSTN gateway user for a <c>tel:</c> number), null when there is no such registered account.
/// <see cref="Wakeable"/>: the account has push registrations, so it can be woken and rings even with no
/// device connected.
/// </summary>
public sealed record CalleeLookup(Address? RingAccount, IReadOnlyList<string> Devices, bool Wakeable = false)
{
    /// <summary>Rule 22: the connected devices of <see cref="RingAccount"/> that are in another call now.</summary>
    public IReadOnlySet<string> BusyDevices { get; init; } = new HashSet<string>();

    /// <summary>Rule 22: the account's busy policy (its own, or the configured default).</summary>
    public BusyPolicy BusyPolicy { get; init; } = BusyPolicy.CallWaiting;

    public static readonly CalleeLookup NotFound = new(null, []);
}
