using CallServer.Adapters.Outbox;
using CallServer.Application;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Hubs;
using CallServer.Outbox;
using CallServer.Timers;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CallServer.Hosting;

/// <summary>
/// Registers calls: their options (<c>Calls</c>, <c>Pstn</c>, <c>Limits</c>, <c>AnonymousCalls</c>,
/// <c>IceServers</c>, <c>Drain</c>, each checked at start), the call service and what it asks, this node's
/// connections, the timer pump and the node's drain on SIGTERM. The stores are registered apart (<c>AddState</c>).
/// </summary>
public static class CallsSetup
{
    public static IServiceCollection AddCalls(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<CallsOptions, CallsOptionsValidator>(configuration, CallsOptions.Section);
        services.AddValidatedOptions<PstnOptions, PstnOptionsValidator>(configuration, PstnOptions.Section);
        services.AddValidatedOptions<LimitsOptions, LimitsOptionsValidator>(configuration, LimitsOptions.Section);
        services.AddValidatedOptions<AnonymousCallsOptions, AnonymousCallsOptionsValidator>(configuration, AnonymousCallsOptions.Section);
        services.AddValidatedOptions<IceServersOptions, IceServersOptionsValidator>(configuration, IceServersOptions.Section);
        services.AddValidatedOptions<DrainOptions, DrainOptionsValidator>(configuration, DrainOptions.Section);

        services.TryAddSingleton<NodeIdentity>();
        services.AddSingleton<RecentUsers>();
        services.AddSingleton<CallDirectory>();
        services.AddSingleton<CallNotifier>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<CallService>();
        services.AddSingleton<LocalConnections>();
        services.AddSingleton<UserInvocationLimiter>();
        services.AddHostedService<TimerPump>();
        services.AddSingleton<NodeDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeDrain>());
        return services;
    }
}
