using CallServer.Domain.Addresses;

namespace CallServer.Domain.Calls;

/// <summary>One side of a call.</summary>
/// <param name="Address">The address shown for this side (for a PSTN callee, the dialed number).</param>
/// <param name="Account">The account that acts for this side (for a PSTN callee, the gateway user).</param>
/// <param name="DeviceId">The bound device (connection); for the callee, null until a device accepts.</param>
public sealed record PartyState(Address Address, Address Account, string? DeviceId)
{
    public string? DisplayName { get; init; }

    public bool Held { get; init; }

    public bool Muted { get; init; }

    public bool SendsVideo { get; init; }

    /// <summary>False while the bound device's connection is lost and the grace period runs.</summary>
    public bool Connected { get; init; } = true;

    /// <summary>Counts disconnections, so that a stale grace timer does nothing.</summary>
    public int GraceGeneration { get; init; }

    public CallEnd? End { get; init; }

    /// <summary>Rule 25: this party's custom parameters, merged over the call.</summary>
    public CustomParameters CustomParameters { get; init; } = CustomParameters.None;

    /// <summary>Rule 27: this party's quality reports so far; null before the first.</summary>
    public CallQuality? Quality { get; init; }
}
