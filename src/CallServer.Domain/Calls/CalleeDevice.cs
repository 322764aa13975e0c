using CallServer.Domain.Addresses;

namespace CallServer.Domain.Calls;

/// <summary>A device that was alerted; <see cref="LocalEnd"/> is set once it stopped taking part on its own.</summary>
public sealed record CalleeDevice(string DeviceId, Address Account, CallEnd? LocalEnd = null)
{
    /// <summary>When this device stopped taking part on its own (set with <see cref="LocalEnd"/>).</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Rule 22: the device was in another call when this one started ringing it (call waiting).</summary>
    public bool Waiting { get; init; }
}
