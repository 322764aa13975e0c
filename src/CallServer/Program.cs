using CallServer.Hosting;
using CallServer.Observability;

var builder = WebApplication.CreateBuilder(args);
builder.AddCallServerLogging();
builder.AddCallServer();

var app = builder.Build();
app.UseCallServer();
app.Run();

/// <summary>The entry point; public so that tests can host the server.</summary>
public partial class Program;
