namespace CallServer.Domain.Calls;

/// <summary>A device of <paramref name="Side"/> that had the call until another device of its account pulled it, at <paramref name="MovedAt"/>.</summary>
public sealed record MovedDevice(CallSide Side, string DeviceId, DateTimeOffset MovedAt);
