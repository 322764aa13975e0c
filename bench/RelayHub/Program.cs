using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Tokens;
using RelayHub;

// The bare relay: CallServer's hub surface for the load loop with nothing behind it. Tokens are checked
// exactly as CallServer checks them (HS256 with Jwt:SigningKey, issuer and audience, 5 s skew), so a
// token the load tool signs for CallServer works here too; the relay issues none itself.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var signingKey = builder.Configuration["Jwt:SigningKey"];
if (string.IsNullOrEmpty(signingKey) || Encoding.UTF8.GetByteCount(signingKey) < 32)
{
    throw new InvalidOperationException("Jwt:SigningKey (at least 32 bytes) is required: the same key CallServer signs with.");
}

builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(bearer =>
{
    bearer.MapInboundClaims = false;
    bearer.TokenValidationParameters = new TokenValidationParameters
    {
        ValidIssuer = builder.Configuration["Jwt:Issuer"] ?? "callserver",
        ValidAudience = builder.Configuration["Jwt:Audience"] ?? "callserver",
        IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = "sub",
        RoleClaimType = "role",
        ClockSkew = TimeSpan.FromSeconds(5),
    };
    bearer.Events = new JwtBearerEvents
    {
        OnMessageReceived = context =>
        {
            var token = context.Request.Query["access_token"];
            if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(Relay.HubPath))
            {
                context.Token = token;
            }

            return Task.CompletedTask;
        },
    };
});
builder.Services.AddAuthorization();
builder.Services.AddSingleton<Registry>();
builder.Services.AddSignalR(hub => hub.EnableDetailedErrors = false)
    .AddJsonProtocol(json =>
    {
        json.PayloadSerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
        json.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter());
    });

var app = builder.Build();
app.UseWebSockets();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
app.MapGet("/readyz", () => Results.Ok(new { status = "ready" }));

// The GC's view after its last collection, under the names CallServer's /metrics uses (the load tool reads both).
app.MapGet("/metrics", () =>
{
    var info = GC.GetGCMemoryInfo();
    return Results.Text(
        $"dotnet_gc_last_collection_heap_size_bytes{{}} {info.HeapSizeBytes}\n"
        + $"dotnet_gc_last_collection_memory_committed_size_bytes{{}} {info.TotalCommittedBytes}\n"
        + $"dotnet_gc_last_collection_heap_fragmentation_size_bytes{{}} {info.FragmentedBytes}\n"
        + $"dotnet_gc_collections_total{{gc_heap_generation=\"gen2\"}} {GC.CollectionCount(2)}\n",
        "text/plain; version=0.0.4");
});
app.MapHub<Relay>(Relay.HubPath);
await app.RunAsync();
