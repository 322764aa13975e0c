using CallServer.Domain.Addresses;

namespace CallServer.Domain.Commands;

/// <summary>
/// What the directory said of a dialed address: whose devices would ring (the user itself, or the
/// PSTN gateway user for a <c>tel:</c> number), null when there is no such registered account.
/// <see cref="Wakeable"/>: the account has push registrations, so it can be woken and rings even with no
/// device connected.
/// </summary>
public sealed record CalleeLookup(Address? RingAccount, IReadOnlyList<string> Devices, bool Wakeable = false)
{
    public static readonly CalleeLookup NotFound = new(null, []);
}
