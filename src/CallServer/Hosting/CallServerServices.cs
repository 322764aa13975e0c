using System.Text.Json.Serialization;
using CallServer.Adapters.AccountSessions;
using CallServer.Adapters.CallHistory;
using CallServer.Adapters.Calls;
using CallServer.Adapters.DeviceMessaging;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Presence;
using CallServer.Adapters.PushRegistrations;
using CallServer.Adapters.Redis;
using CallServer.Adapters.Timers;
using CallServer.Adapters.Users;
using CallServer.Api;
using CallServer.Application;
using CallServer.Outbox;
using CallServer.Ports;
using CallServer.Auth;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using CallServer.History;
using CallServer.Hubs;
using CallServer.Observability.Metrics;
using CallServer.Push;
using CallServer.Push.Providers;
using CallServer.Swagger;
using CallServer.Timers;
using CallServer.Users;
using CallServer.Webhooks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CallServer.Hosting;

/// <summary>The composition of the server's services.</summary>
public static class CallServerServices
{
    public static void AddCallServer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var isDevelopment = builder.Environment.IsDevelopment();

        services.AddOptions<JwtOptions>().Bind(configuration.GetSection(JwtOptions.Section))
            .PostConfigure(jwt =>
            {
                if (isDevelopment && string.IsNullOrEmpty(jwt.SigningKey))
                {
                    jwt.SigningKey = JwtOptions.DevelopmentSigningKey;
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddOptions<CallsOptions>().Bind(configuration.GetSection(CallsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CallsOptions>, CallsOptionsValidator>();
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section));
        services.AddOptions<AnonymousCallsOptions>().Bind(configuration.GetSection(AnonymousCallsOptions.Section))
            .Validate(o => o.TokenLifetime > TimeSpan.Zero, "AnonymousCalls:TokenLifetime must be positive.").ValidateOnStart();
        services.AddOptions<PstnOptions>().Bind(configuration.GetSection(PstnOptions.Section))
            .Validate(o => o.GatewayUser is null || Domain.Addresses.Address.IsValidUsername(o.GatewayUser.Split('@')[0]), "Pstn:GatewayUser is not a valid username.")
            .ValidateOnStart();
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.Section))
            .Validate(o => o.HubInvocationsPerSecond > 0 && o.HubInvocationBurst > 0 && o.MaximumReceiveMessageSize > 0 && o.MaxDevicesPerUser > 0 && o.UserInvocationsPerSecond > 0 && o.UserInvocationBurst > 0, "Limits:* must be positive.")
            .ValidateOnStart();
        services.AddOptions<IceServersOptions>().Bind(configuration.GetSection(IceServersOptions.Section))
            .Validate(o => o.CredentialLifetime > TimeSpan.Zero, "IceServers:CredentialLifetime must be positive.").ValidateOnStart();
        services.AddOptions<DrainOptions>().Bind(configuration.GetSection(DrainOptions.Section))
            .Validate(o => o.Delay >= TimeSpan.Zero && o.Delay < TimeSpan.FromSeconds(25), "Drain:Delay is 0 to 25 seconds.").ValidateOnStart();
        services.AddOptions<NetworkOptions>().Bind(configuration.GetSection(NetworkOptions.Section))
            .Validate(o => o.TrustedProxies.All(n => System.Net.IPNetwork.TryParse(n, out _)), "Network:TrustedProxies are CIDR networks, e.g. 172.16.0.0/12.")
            .ValidateOnStart();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<NetworkOptions>>((forwarded, network) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var cidr in network.Value.TrustedProxies)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(cidr));
            }
        });
        services.AddOptions<DemoUsersOptions>().Bind(configuration.GetSection(DemoUsersOptions.Section));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CallServerMetrics>();
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<AccountCheck>();
        services.AddSingleton<UserRegistration>();
        services.AddSingleton<RecentUsers>();
        services.AddSingleton<CallDirectory>();
        services.AddSingleton<CallNotifier>();
        services.AddSingleton<CallService>();
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section));
        var redisEnabled = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() is { Enabled: true };
        if (redisEnabled)
        {
            services.AddRedisStores();
        }
        else
        {
            services.AddInMemoryStores();
        }

        services.AddHostedService<TimerPump>();
        services.AddOptions<PushDispatchOptions>().Bind(configuration.GetSection(PushDispatchOptions.Section))
            .Validate(o => o.MaxRegistrationsPerUser > 0 && o.PollInterval > TimeSpan.Zero && o.ClaimAfter >= TimeSpan.FromMilliseconds(300) && o.MaxConcurrentPushes > 0,
                "Push:MaxRegistrationsPerUser, Push:PollInterval and Push:MaxConcurrentPushes must be positive, Push:ClaimAfter at least 300 ms.")
            .ValidateOnStart();
        services.AddOptions<WebhooksOptions>().Bind(configuration.GetSection(WebhooksOptions.Section));
        services.TryAddSingleton<NodeIdentity>();
        services.AddSingleton<OutboxSignal>();
        services.AddPushProviders(configuration);
        services.AddSingleton<PushSender>();
        services.AddHostedService<PushDispatcher>();
        services.AddOptions<HistoryOptions>().Bind(configuration.GetSection(HistoryOptions.Section))
            .Validate(o => o.MaxEntriesPerUser > 0 && o.MaxAge > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero && o.MaxConcurrentWrites > 0, "History:* must be positive.")
            .ValidateOnStart();
        services.AddSingleton<CallHistoryNotifier>();
        services.AddSingleton<CallHistoryService>();
        services.AddHostedService<HistoryWriter>();
        services.AddWebhooks(redisEnabled);
        services.AddSingleton<LocalConnections>();
        services.AddSingleton<UserInvocationLimiter>();
        services.AddSingleton<NodeDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeDrain>());
        if (configuration.GetValue<bool?>($"{DemoUsersOptions.Section}:Enabled") ?? isDevelopment)
        {
            services.AddHostedService<DemoUsers>();
        }

        services.AddCallServerAuthentication();
        services.AddCallServerRateLimits();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ApiProblem.AddMissingCode);
        services.AddExceptionHandler<CallRefusedExceptionHandler>();
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = false);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        var limits = configuration.GetSection(LimitsOptions.Section).Get<LimitsOptions>() ?? new LimitsOptions();

        // No request body larger than what an endpoint needs: the largest is a hub message over long polling.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = Math.Max(64 * 1024, limits.MaximumReceiveMessageSize + 4096));
        services.AddSignalR(hub =>
            {
                hub.MaximumReceiveMessageSize = limits.MaximumReceiveMessageSize;
                hub.EnableDetailedErrors = false;
                hub.AddFilter<HubTracingFilter>();
                hub.AddFilter<HubMetricsFilter>();
                hub.AddFilter<HubRateLimitFilter>();
                hub.AddFilter<HubErrorFilter>();
            })
            .AddJsonProtocol(json => HubJson.Configure(json.PayloadSerializerOptions));
        services.AddCallServerSwagger();
    }

    private static void AddRedisStores(this IServiceCollection services)
    {
        services.AddSingleton<NodeIdentity>();
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<RedisKeys>();
        services.AddMeasuredCallStore<RedisCallStore>();
        services.AddSingleton<ITimerQueue, RedisTimerQueue>();
        services.AddSingleton<RedisPresence>();
        services.AddSingleton<IPresence>(sp => sp.GetRequiredService<RedisPresence>());
        services.AddSingleton<IUserDirectory, RedisUserDirectory>();
        services.AddSingleton<LocalDeviceMessenger>();
        services.AddSingleton<IDeviceMessenger, RedisDeviceMessenger>();
        services.AddHostedService<NodeChannelListener>();
        services.AddSingleton<IAccountSessions, RedisAccountSessions>();
        services.AddSingleton<RedisCallStore>();
        services.AddSingleton<IRememberedCalls>(sp => sp.GetRequiredService<RedisCallStore>());
        services.AddSingleton<IOutbox, RedisOutbox>();
        services.AddSingleton<IPushRegistrationStore, RedisPushRegistrationStore>();
        services.AddSingleton<ICallHistoryStore, RedisCallHistoryStore>();
        services.AddHostedService<ClosedAccountsListener>();
        services.AddHostedService<NodeHeartbeat>();
    }

    private static void AddInMemoryStores(this IServiceCollection services)
    {
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
    }

    private static void AddMeasuredCallStore<TStore>(this IServiceCollection services)
        where TStore : ICallStore =>
        services.AddSingleton<ICallStore>(sp => new MeasuredCallStore(sp.GetRequiredService<TStore>(), sp.GetRequiredService<CallServerMetrics>()));
}
