using CallServer.Transfers;
using System.Text.Json.Serialization;
using CallServer.Adapters;
using CallServer.Api;
using CallServer.Application;
using CallServer.Auth;
using CallServer.Configuration;
using CallServer.History;
using CallServer.Hubs;
using CallServer.Observability.Metrics;
using CallServer.Push;
using CallServer.Swagger;
using CallServer.Users;
using CallServer.Webhooks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CallServer.Hosting;

/// <summary>
/// The composition of the server's services: one call per feature (each binds and checks its own options
/// and registers its own hosted services, in its own folder), then what every feature shares.
/// </summary>
public static class CallServerServices
{
    public static void AddCallServer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<CallServerMetrics>();

        // The state first: the in-memory or the Redis set, chosen once (StateBackend); the features after it read that choice.
        services.AddState(configuration);
        services.AddCalls(configuration);
        services.AddTransfers(configuration);
        services.AddPush(configuration);
        services.AddHistory(configuration);
        services.AddWebhooks(configuration);
        services.AddUsers(configuration, builder.Environment.IsDevelopment());

        services.AddCallServerAuthentication(configuration, builder.Environment.IsDevelopment());
        services.AddTrustedProxies(configuration);
        services.AddCallServerRateLimits();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = ApiProblem.AddMissingCode);
        services.AddExceptionHandler<CallRefusedExceptionHandler>();
        services.Configure<RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = false);
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.AddCallServerSignalR();
        services.AddCallServerSwagger();
    }

    /// <summary>The hub's protocol and filters, and the message size bounds of <c>Limits:*</c>.</summary>
    private static void AddCallServerSignalR(this IServiceCollection services)
    {
        services.AddSignalR(hub =>
            {
                hub.EnableDetailedErrors = false;
                hub.AddFilter<HubTracingFilter>();
                hub.AddFilter<HubMetricsFilter>();
                hub.AddFilter<HubRateLimitFilter>();
                hub.AddFilter<HubErrorFilter>();
            })
            .AddJsonProtocol(json => HubJson.Configure(json.PayloadSerializerOptions));

        // The JSON protocol, letting clients written before an argument was added leave it out.
        var optionalArguments = OptionalArgumentsHubProtocol.MethodsOf<CallHub>();
        services.RemoveAll<IHubProtocol>();
        services.AddSingleton<IHubProtocol>(provider => new OptionalArgumentsHubProtocol(
            new JsonHubProtocol(provider.GetRequiredService<IOptions<JsonHubProtocolOptions>>()), optionalArguments));
        services.AddOptions<HubOptions>().Configure<IOptions<LimitsOptions>>((hub, limits) =>
            hub.MaximumReceiveMessageSize = limits.Value.MaximumReceiveMessageSize);

        // No request body larger than what an endpoint needs: the largest is a hub message over long polling.
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<LimitsOptions>>((kestrel, limits) =>
            kestrel.Limits.MaxRequestBodySize = Math.Max(64 * 1024, limits.Value.MaximumReceiveMessageSize + 4096));
    }
}
