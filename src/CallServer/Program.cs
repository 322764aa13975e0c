using CallServer.Hosting;
using CallServer.Observability;

if (HealthCheckCommand.IsRequested(args))
{
    return await HealthCheckCommand.RunAsync(args);
}

// The content root is the build output, so the server finds its appsettings.json and wwwroot from any directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddCallServerLogging();
builder.AddCallServerTelemetry();
builder.AddCallServer();

var app = builder.Build();
app.UseCallServer();
await app.RunAsync();
return 0;

/// <summary>The entry point; public so that tests can host the server.</summary>
public partial class Program;
