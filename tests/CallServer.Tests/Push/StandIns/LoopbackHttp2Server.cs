using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CallServer.Tests.Push.StandIns;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) that speaks only HTTP/2 without TLS, so clients
/// reach it with prior knowledge (h2c), as the push providers do for <c>http://</c> endpoints.
/// </summary>
public sealed class LoopbackHttp2Server : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping = new();

    private LoopbackHttp2Server(WebApplication app, Uri baseAddress)
    {
        this.app = app;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:PORT</c>, without a trailing slash.</summary>
    public Uri BaseAddress { get; }

    public string Origin => BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>Cancelled when the server stops: what a hanging answer waits on besides the client giving up.</summary>
    public CancellationToken Stopping => stopping.Token;

    public static async Task<LoopbackHttp2Server> StartAsync(RequestDelegate handle)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        var app = builder.Build();
        app.Run(handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new LoopbackHttp2Server(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        using (var stopWithin = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await app.StopAsync(stopWithin.Token);
        }

        await app.DisposeAsync();
        stopping.Dispose();
    }
}
