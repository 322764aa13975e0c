namespace CallServer.Configuration;

/// <summary><c>Network:*</c>: which proxies may tell the server the client's address.</summary>
public sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>
    /// Networks (CIDR) of the load balancers whose <c>X-Forwarded-For</c> is believed, so that the per-client
    /// rate limits see clients, not the load balancer. Loopback is always trusted.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}
