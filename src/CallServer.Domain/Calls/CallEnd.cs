namespace CallServer.Domain.Calls;

/// <summary>How the call ended for one party or device.</summary>
public sealed record CallEnd(EndReason Reason, int StatusCode);
