namespace CallServer.Domain.Addresses;

/// <summary>What an address points at.</summary>
public enum AddressKind
{
    /// <summary>A registered user, <c>username@domain</c>.</summary>
    User,

    /// <summary>A telephone number on the PSTN, <c>tel:+E164</c>.</summary>
    Telephone,

    /// <summary>An anonymous caller, <c>anonymous-…@domain</c>; never callable.</summary>
    Anonymous,
}
