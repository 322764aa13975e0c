using CallServer.Observability;
using Serilog;
using Serilog.Events;
using Serilog.Extensions.Hosting;
using Serilog.Formatting.Compact;

namespace CallServer.Hosting;

/// <summary>
/// Serilog (Serilog.AspNetCore): levels from the <c>Serilog</c> section; <c>Logs:Format</c> = <c>json</c>
/// writes one JSON object a line (compact JSON, with <c>@tr</c>/<c>@sp</c>, the trace and span ids), text
/// writes the trace id on every line that has one. One request line per HTTP request, from
/// <c>UseSerilogRequestLogging</c>: the path without its query string (the hub's access token travels in it).
/// </summary>
public static class SerilogSetup
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj} {TraceId}{NewLine}{Exception}";

    public static void AddCallServerLogging(this WebApplicationBuilder builder)
    {
        var configuration = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()

            // A refused connection (a deleted account, a store away) is an expected outcome that the hub
            // logs as one warning line (ConnectionRefused); SignalR would add an error with a stack trace.
            .Filter.ByExcluding(logEvent => logEvent.Exception is Application.CallRefusedException or Domain.Ports.StoreUnavailableException);
        configuration = string.Equals(builder.Configuration["Logs:Format"], "json", StringComparison.OrdinalIgnoreCase)
            ? configuration.WriteTo.Console(new RenderedCompactJsonFormatter())
            : configuration.WriteTo.Console(outputTemplate: TextTemplate);
        var logger = configuration.CreateLogger();

        // Serilog as a provider under the framework's logger factory, which keeps one logger per category:
        // SignalR and Kestrel ask for loggers per connection, and Serilog's own factory would make (and keep)
        // a new one, with its caches, for each. The static Log.Logger is left alone (several servers share a
        // test process); the request logging gets this host's logger and diagnostic context.
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
        builder.Services.AddSingleton<Serilog.ILogger>(logger);
        builder.Services.AddSingleton(new DiagnosticContext(logger));
        builder.Services.AddSingleton<IDiagnosticContext>(sp => sp.GetRequiredService<DiagnosticContext>());
    }

    /// <summary>
    /// One line a request: method, path (never the query string), status, time; probes at Debug. Not for
    /// the hub's WebSocket requests, which last as long as their connection: the hub logs those
    /// (DeviceConnected, DeviceDisconnected), and each idle connection would keep a collector.
    /// </summary>
    public static void UseCallServerRequestLogging(this WebApplication app) =>
        app.UseWhen(
            context => !string.Equals(context.Request.Headers.Upgrade, "websocket", StringComparison.OrdinalIgnoreCase),
            branch => branch.UseSerilogRequestLogging(options =>
            {
                options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
                options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
                options.IncludeQueryInRequestPath = false;
                options.GetLevel = (context, _, exception) =>
                    context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz") || context.Request.Path.StartsWithSegments("/metrics")
                        ? LogEventLevel.Debug
                        : exception is not null || context.Response.StatusCode == StatusCodes.Status500InternalServerError ? LogEventLevel.Error
                        : context.Response.StatusCode >= 500 ? LogEventLevel.Warning
                        : LogEventLevel.Information;
            }));
}
