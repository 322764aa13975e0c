using CallServer.Api;
using CallServer.Auth;
using CallServer.Hubs;
using CallServer.Observability;

namespace CallServer.Hosting;

/// <summary>The request pipeline and the endpoints.</summary>
public static class CallServerPipeline
{
    public static void UseCallServer(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseCallServerRequestLogging();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseWebSockets();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(AdminKeyGate.Path) || context.Request.Path.StartsWithSegments(AdminKeyGate.AdminPath), users => users.UseMiddleware<AdminKeyGate>());

        if (app.Configuration.GetValue("Swagger:Enabled", true))
        {
            app.UseSwagger();
            app.UseSwaggerUI(ui =>
            {
                ui.SwaggerEndpoint("/swagger/v1/swagger.json", "CallServer API v1");
                ui.DocumentTitle = "CallServer API";
            });
        }

        var api = app.MapGroup("/api/v1");
        api.MapAuthEndpoints();
        api.MapAnonymousTokenEndpoints();
        api.MapUserTokenEndpoints();
        api.MapUserEndpoints();
        api.MapCallEndpoints();
        api.MapAdminCallEndpoints();
        api.MapIceServerEndpoints();
        api.MapPushRegistrationEndpoints();
        api.MapCallHistoryEndpoints();
        app.MapHealthEndpoints();
        app.MapCallServerMetrics();
        app.MapHub<CallHub>(JwtAuthenticationSetup.HubPath, hub => hub.CloseOnAuthenticationExpiration = true);
    }
}
