namespace CallServer.Domain.Views;

using CallServer.Domain.Calls;

/// <summary>
/// Who looks at a call: a side, and for the callee the device (a ringing device that ignored the
/// call sees it ended while the others still ring). A null device is the party as a whole.
/// </summary>
public sealed record CallViewer(CallSide Side, string? DeviceId)
{
    public static CallViewer CallerOf(Call call) => new(CallSide.Caller, call.Caller.DeviceId);

    public static CallViewer CalleeDevice(string deviceId) => new(CallSide.Callee, deviceId);

    /// <summary>The party's bound device (where its events go), or the party as a whole.</summary>
    public static CallViewer PartyOf(Call call, CallSide side) => new(side, call.Party(side).DeviceId);
}
