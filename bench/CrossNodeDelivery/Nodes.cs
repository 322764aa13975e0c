using System.Net;
using CallServer.Hubs;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace CrossNodeDelivery;

/// <summary>The bench's minimal hub: no filters, no auth; a client asks it for its connection id.</summary>
public sealed class BenchHub : Hub
{
    public string ConnectionId() => Context.ConnectionId;
}

/// <summary>
/// Hands the project's classes (which take an <see cref="IHubContext{CallHub}"/>) the bench hub's real context,
/// as tests/CallServer.Storage.Tests/DeviceMessaging/RecordingHubContext.cs does with a recording one.
/// </summary>
internal sealed class AsCallHubContext(IHubContext<BenchHub> inner) : IHubContext<CallHub>
{
    public IHubClients Clients => inner.Clients;

    public IGroupManager Groups => inner.Groups;
}

/// <summary>One node: an ASP.NET Core host on a Kestrel loopback port serving <see cref="BenchHub"/> at <c>/hub</c>.</summary>
internal sealed class Node : IAsyncDisposable
{
    /// <summary>The backplane's channel prefix in Redis.</summary>
    public const string BackplanePrefix = "bench-bp:";

    private readonly WebApplication app;

    private Node(string name, WebApplication app, string url)
    {
        Name = name;
        this.app = app;
        HubUrl = url + "/hub";
    }

    public string Name { get; }

    public string HubUrl { get; }

    public IHubContext<BenchHub> Hub => app.Services.GetRequiredService<IHubContext<BenchHub>>();

    /// <summary>Starts a node; with <paramref name="backplane"/> (a Redis connection string) it uses the SignalR Redis backplane.</summary>
    public static async Task<Node> StartAsync(string name, string? backplane, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "CrossNodeDelivery", Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        // The same JSON payload settings as CallServer's hub (camelCase, enums by name).
        var signalR = builder.Services.AddSignalR().AddJsonProtocol(json => HubJson.Configure(json.PayloadSerializerOptions));
        if (backplane is not null)
        {
            signalR.AddStackExchangeRedis(backplane, redis => redis.Configuration.ChannelPrefix = RedisChannel.Literal(BackplanePrefix));
        }

        var app = builder.Build();
        app.MapHub<BenchHub>("/hub");
        await app.StartAsync(cancellationToken);
        return new Node(name, app, app.Urls.First());
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await app.StopAsync(stop.Token);
        await app.DisposeAsync();
    }
}
