using CallServer.Adapters.AccountSessions;
using CallServer.Adapters.CallHistory;
using CallServer.Adapters.Calls;
using CallServer.Adapters.DeviceMessaging;
using CallServer.Adapters.Nodes;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Presence;
using CallServer.Adapters.PushRegistrations;
using CallServer.Adapters.Redis;
using CallServer.Adapters.Timers;
using CallServer.Adapters.Users;
using CallServer.Application;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using CallServer.History;
using CallServer.Observability.Metrics;
using CallServer.Ports;
using CallServer.Push;
using Microsoft.Extensions.Options;

namespace CallServer.Adapters;

/// <summary>
/// Registers the adapters of every port: the in-memory set (one node) or the Redis set (a cluster), with the
/// hosted services of that set. Which one is chosen once (<see cref="StateBackend"/>).
/// </summary>
public static class StateSetup
{
    /// <summary>Chooses the backend from <c>Redis:Configuration</c> (once) and registers its adapters.</summary>
    public static IServiceCollection AddState(this IServiceCollection services, IConfiguration configuration) =>
        StateBackend.Choose(services, configuration).IsRedis ? services.AddRedisState(configuration) : services.AddInMemoryState();

    /// <summary>The Redis adapters (<c>Redis:*</c>), the node's heartbeat and its channel listeners.</summary>
    public static IServiceCollection AddRedisState(this IServiceCollection services, IConfiguration configuration)
    {
        StateBackend.Use(services, StateBackend.Redis);
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section));
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisKeys>();
        services.AddSingleton<IRememberedCalls>(sp => sp.GetRequiredService<RedisCallStore>());
        services.AddMeasuredCallStore<RedisCallStore>();
        services.AddSingleton<ITimerQueue, RedisTimerQueue>();
        services.AddSingleton<RedisPresence>();
        services.AddSingleton<IPresence>(sp => sp.GetRequiredService<RedisPresence>());
        services.AddSingleton<IUserDirectory, RedisUserDirectory>();
        services.AddSingleton<LocalDeviceMessenger>();
        services.AddSingleton<IDeviceMessenger, RedisDeviceMessenger>();
        services.AddHostedService<NodeChannelListener>();
        services.AddSingleton<IAccountSessions, RedisAccountSessions>();
        services.AddSingleton<OutboxAppends>();
        services.AddSingleton<IOutbox>(sp => new RedisOutbox(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<RedisKeys>(), sp.GetRequiredService<OutboxAppends>()));
        services.AddSingleton<IPushRegistrationStore, RedisPushRegistrationStore>();
        services.AddSingleton<ICallHistoryStore, RedisCallHistoryStore>();
        services.AddHostedService<ClosedAccountsListener>();
        services.AddHostedService<NodeHeartbeat>();
        services.AddSingleton<ActiveIndexUpdate>();
        services.AddHostedService<ActiveIndexWorker>();
        services.AddSingleton<RedisLayout>();
        services.AddSingleton<RedisReplicaWait>();
        services.AddHostedService<RedisLayoutMigrator>();
        services.AddSingleton<RedisCallStore>(sp => new RedisCallStore(
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<RedisKeys>(),
            sp.GetRequiredService<IOptions<CallsOptions>>(),
            sp.GetRequiredService<CallServer.Outbox.OutboxSignal>(),
            sp.GetRequiredService<RedisLayout>(),
            sp.GetRequiredService<OutboxAppends>(),
            sp.GetRequiredService<RedisReplicaWait>()));
        return services;
    }

    /// <summary>The in-memory adapters of one node, and the sweeper of its ended calls.</summary>
    public static IServiceCollection AddInMemoryState(this IServiceCollection services)
    {
        StateBackend.Use(services, StateBackend.InMemory);
        services.AddSingleton<IDeviceMessenger, LocalDeviceMessenger>();
        services.AddSingleton<IAccountSessions, LocalAccountSessions>();
        services.AddSingleton<InMemoryOutbox>();
        services.AddSingleton<IOutbox>(sp => sp.GetRequiredService<InMemoryOutbox>());
        services.AddSingleton<IPushRegistrationStore, InMemoryPushRegistrationStore>();
        services.AddSingleton<ICallHistoryStore, InMemoryCallHistoryStore>();
        services.AddSingleton<InMemoryCallStore>();
        services.AddMeasuredCallStore<InMemoryCallStore>();
        services.AddSingleton<InMemoryTimerQueue>();
        services.AddSingleton<ITimerQueue>(sp => sp.GetRequiredService<InMemoryTimerQueue>());
        services.AddSingleton<IPresence, InMemoryPresence>();
        services.AddSingleton<IUserDirectory, InMemoryUserDirectory>();
        services.AddHostedService<EndedCallSweeper>();
        return services;
    }

    private static void AddMeasuredCallStore<TStore>(this IServiceCollection services)
        where TStore : ICallStore =>
        services.AddSingleton<ICallStore>(sp => new MeasuredCallStore(sp.GetRequiredService<TStore>(), sp.GetRequiredService<CallServerMetrics>()));
}
