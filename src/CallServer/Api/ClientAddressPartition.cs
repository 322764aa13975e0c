namespace CallServer.Api;

/// <summary>The key that rate limits share per client address.</summary>
public static class ClientAddressPartition
{
    public static string Of(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
