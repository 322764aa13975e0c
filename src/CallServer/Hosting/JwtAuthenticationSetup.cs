using CallServer.Api;
using CallServer.Auth;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CallServer.Hosting;

/// <summary>
/// JWT bearer authentication: the header for REST, <c>access_token</c> in the query for the hub; with
/// <c>Jwt:*</c> (checked at start; a development key in Development when none is set), the token issuer and
/// the account check.
/// </summary>
public static class JwtAuthenticationSetup
{
    public const string HubPath = "/hubs/calls";

    public static IServiceCollection AddCallServerAuthentication(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        services.AddValidatedOptions<JwtOptions, JwtOptionsValidator>(configuration, JwtOptions.Section)
            .PostConfigure(jwt =>
            {
                if (isDevelopment && string.IsNullOrEmpty(jwt.SigningKey))
                {
                    jwt.SigningKey = JwtOptions.DevelopmentSigningKey;
                }
            });
        services.AddValidatedOptions<AuthOptions, AuthOptionsValidator>(configuration, AuthOptions.Section);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<AccountCheck>();
        services.AddSingleton<AppUsers>();
        services.AddAuthentication(ExternalIssuerSchemes.Selector)
            .AddJwtBearer()
            .AddExternalIssuers(configuration, JwtBearerDefaults.AuthenticationScheme, Events);
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((bearer, jwtOptions) => Configure(bearer, jwtOptions.Value));
        services.AddAuthorizationBuilder()
            .AddPolicy(AuthPolicies.AnyCaller, p => p.RequireAuthenticatedUser()
                .RequireClaim(CallServerClaims.Role, CallServerClaims.UserRole, CallServerClaims.AnonymousRole));
        return services;
    }

    private static void Configure(JwtBearerOptions bearer, JwtOptions jwt)
    {
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            IssuerSigningKey = TokenIssuer.KeyOf(jwt),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            NameClaimType = CallServerClaims.Subject,
            RoleClaimType = CallServerClaims.Role,
            ClockSkew = TimeSpan.FromSeconds(5),
        };
        bearer.Events = Events();
    }

    /// <summary>The events of every bearer scheme: the hub's token from the query, and 401/403 as problems.</summary>
    private static JwtBearerEvents Events() => new()
    {
        OnMessageReceived = context =>
        {
            // Browsers cannot set headers on WebSockets: the hub takes the token from the query.
            var token = context.Request.Query["access_token"];
            if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(HubPath))
            {
                context.Token = token;
            }

            return Task.CompletedTask;
        },
        OnChallenge = async context =>
        {
            context.HandleResponse();
            var detail = context.AuthenticateFailure is SecurityTokenExpiredException
                ? "the access token has expired"
                : context.AuthenticateFailure is null ? "an access token is required" : "the access token is not valid";
            await ApiProblem.Write(context.HttpContext, ErrorCode.Unauthorized, detail);
        },
        OnForbidden = context => ApiProblem.Write(context.HttpContext, ErrorCode.Forbidden, "this token may not do that"),
    };
}
