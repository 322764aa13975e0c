using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace CallServer.Observability;

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
        var json = string.Equals(builder.Configuration["Logs:Format"], "json", StringComparison.OrdinalIgnoreCase);
        builder.Services.AddSerilog(
            (services, logger) =>
            {
                logger.ReadFrom.Configuration(builder.Configuration).Enrich.FromLogContext();
                if (json)
                {
                    logger.WriteTo.Console(new RenderedCompactJsonFormatter());
                }
                else
                {
                    logger.WriteTo.Console(outputTemplate: TextTemplate);
                }
            },
            preserveStaticLogger: true);
    }

    /// <summary>One line a request: method, path (never the query string), status, time; probes at Debug.</summary>
    public static void UseCallServerRequestLogging(this WebApplication app) =>
        app.UseSerilogRequestLogging(options =>
        {
            // The static Log.Logger is left alone (several servers share a test process): use this host's.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms";
            options.IncludeQueryInRequestPath = false;
            options.GetLevel = (context, _, exception) =>
                context.Request.Path.StartsWithSegments("/healthz") || context.Request.Path.StartsWithSegments("/readyz") || context.Request.Path.StartsWithSegments("/metrics")
                    ? LogEventLevel.Debug
                    : exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error : LogEventLevel.Information;
        });
}
