namespace CallServer.Domain.Calls;

/// <summary>A device of <paramref name="Side"/> that had the call until another device of its account pulled it, at <paramref name="MovedAt"/>.</summary>
public sealed record MovedDevice(CallSide Side, string DeviceId, DateTimeOffset MovedAt)
{
    /// <summary>How the call ended for such a device.</summary>
    public static readonly CallEnd End = new(EndReason.MovedToAnotherDevice, CallStatusCodes.RespondedFromAnotherDevice);
}
