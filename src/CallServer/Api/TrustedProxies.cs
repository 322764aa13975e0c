using CallServer.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace CallServer.Api;

/// <summary>
/// Registers <c>Network:*</c> (checked at start) and the forwarded headers it allows: <c>X-Forwarded-For</c>
/// and <c>X-Forwarded-Proto</c> are believed from loopback and from <c>Network:TrustedProxies</c> only, so
/// that the per-client limits (<see cref="ClientAddressPartition"/>) see clients, not the load balancer.
/// </summary>
public static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<NetworkOptions, NetworkOptionsValidator>(configuration, NetworkOptions.Section);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>>((forwarded, network) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var cidr in network.Value.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(cidr));
            }
        });
        return services;
    }
}
