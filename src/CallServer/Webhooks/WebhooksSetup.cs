using System.Net;
using CallServer.Adapters;
using CallServer.Adapters.LeaderLease;
using CallServer.Adapters.Redis;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Webhooks;

/// <summary>
/// Registers webhook delivery: <c>Webhooks:*</c> (checked at start), the HTTP client, the leader lease of the
/// state backend chosen (<see cref="StateBackend"/>; the state is registered first), the dispatcher.
/// </summary>
public static class WebhooksSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<WebhooksOptions, WebhooksOptionsValidator>(configuration, WebhooksOptions.Section);
        services.AddHttpClient(WebhookSender.ClientName, (provider, client) =>
            {
                client.Timeout = Timeout.InfiniteTimeSpan; // each attempt is bounded by Webhooks:Timeout
                client.DefaultRequestHeaders.TryAddWithoutValidation("user-agent", $"{WebhookSender.UserAgentProduct} (node {provider.GetRequiredService<NodeIdentity>().Id})");
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        services.AddSingleton<WebhookSender>();
        services.AddSingleton<WebhookRetryPolicy>();
        services.AddSingleton<WebhookDelivery>();
        if (StateBackend.Of(services).IsRedis)
        {
            services.AddSingleton<ILeaderLease>(provider => new RedisLeaderLease(
                provider.GetRequiredService<RedisConnection>(),
                provider.GetRequiredService<RedisKeys>().WebhooksLeader,
                provider.GetRequiredService<NodeIdentity>().Id,
                provider.GetRequiredService<IOptions<WebhooksOptions>>().Value.LeaderLease,
                handover: ClaimAfter(provider),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger<RedisLeaderLease>()));
        }
        else
        {
            services.AddSingleton<ILeaderLease, SingleNodeLeaderLease>();
        }

        services.AddHostedService<WebhookDispatcher>();
        return services;
    }

    private static TimeSpan ClaimAfter(IServiceProvider provider) => provider.GetRequiredService<IOptions<WebhooksOptions>>().Value.ClaimAfter;
}
