using CallServer.Api;
using Microsoft.OpenApi;

namespace CallServer.Swagger;

/// <summary>Swagger UI at <c>/swagger</c> with a bearer-token button and the API key headers.</summary>
public static class SwaggerSetup
{
    public const string BearerScheme = "Bearer";
    public const string AdminKeyScheme = "AdminKey";
    public const string ApiKeyScheme = "ApiKey";

    public static IServiceCollection AddCallServerSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "CallServer API",
                Version = "v1",
                Description = "Tokens, users and call snapshots. Calls themselves are driven over the SignalR hub at /hubs/calls (see docs/protocol.md).",
            });
            swagger.AddSecurityDefinition(BearerScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "The accessToken from POST /api/v1/auth/token or /api/v1/anonymous-tokens.",
            });
            swagger.AddSecurityDefinition(AdminKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeys.AdminKeyHeader,
                Description = "Admin:ApiKey, for /api/v1/users.",
            });
            swagger.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeys.ApiKeyHeader,
                Description = "One of AnonymousCalls:ApiKeys, for /api/v1/anonymous-tokens.",
            });
            swagger.AddSecurityRequirement(document => new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [],
                [new OpenApiSecuritySchemeReference(AdminKeyScheme, document)] = [],
                [new OpenApiSecuritySchemeReference(ApiKeyScheme, document)] = [],
            });
            swagger.SchemaFilter<ExampleSchemaFilter>();
            var xml = Path.Combine(AppContext.BaseDirectory, "CallServer.xml");
            if (File.Exists(xml))
            {
                swagger.IncludeXmlComments(xml);
            }
        });
        return services;
    }
}
