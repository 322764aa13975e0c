using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Ports;
using CallServer.Push;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CallServer.Push.Providers;

/// <summary>Registers the push providers (APNs, FCM, Web Push) and what they share.</summary>
public static class PushProvidersSetup
{
    /// <summary>
    /// Binds <see cref="PushOptions"/> (validated at start), and registers <see cref="ApnsProvider"/>,
    /// <see cref="FcmProvider"/> and <see cref="WebPushProvider"/> as singletons, each also as an
    /// <see cref="IPushProvider"/>, plus <see cref="WebPushVapidKeys"/> (the key browsers subscribe with).
    /// </summary>
    public static IServiceCollection AddPushProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<PushOptions, PushOptionsValidator>(configuration, PushOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => PushUserAgent.For(provider.GetService<NodeIdentity>()));
        services.TryAddSingleton<PushHttpPipeline>();
        services.TryAddSingleton(provider => WebPushVapidKeys.Create(
            provider.GetRequiredService<IOptions<PushOptions>>().Value.WebPush,
            provider.GetRequiredService<ILoggerFactory>().CreateLogger<WebPushVapidKeys>()));

        services.TryAddSingleton<ApnsProvider>();
        services.TryAddSingleton<FcmProvider>();
        services.TryAddSingleton<WebPushProvider>();
        services.AddSingleton<IPushProvider>(provider => provider.GetRequiredService<ApnsProvider>());
        services.AddSingleton<IPushProvider>(provider => provider.GetRequiredService<FcmProvider>());
        services.AddSingleton<IPushProvider>(provider => provider.GetRequiredService<WebPushProvider>());
        return services;
    }
}
