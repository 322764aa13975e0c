using Serilog;
using Serilog.Formatting.Json;

namespace CallServer.Observability;

/// <summary>
/// Serilog through Microsoft.Extensions.Logging (Serilog.AspNetCore is not restorable here).
/// Levels come from the <c>Serilog</c> section; <c>Logs:Format</c> = <c>json</c> writes one JSON object a line.
/// </summary>
public static class SerilogSetup
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss.fff} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static void AddCallServerLogging(this WebApplicationBuilder builder)
    {
        var configuration = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext();
        configuration = string.Equals(builder.Configuration["Logs:Format"], "json", StringComparison.OrdinalIgnoreCase)
            ? configuration.WriteTo.Console(new JsonFormatter(renderMessage: true))
            : configuration.WriteTo.Console(outputTemplate: TextTemplate);
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(configuration.CreateLogger(), dispose: true);
    }
}
