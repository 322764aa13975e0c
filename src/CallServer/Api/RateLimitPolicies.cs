using System.Threading.RateLimiting;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using Microsoft.Extensions.Options;

namespace CallServer.Api;

/// <summary>Per client address limits on the token endpoints.</summary>
public static class RateLimitPolicies
{
    public const string Login = "login";
    public const string AnonymousTokens = "anonymous-tokens";

    public static IServiceCollection AddCallServerRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.OnRejected = (context, _) =>
                new ValueTask(ApiProblem.Write(context.HttpContext, ErrorCode.RateLimited, "too many requests from this address; try again later"));
            limiter.AddPolicy(Login, context => PerMinute(context, context.RequestServices.GetRequiredService<IOptions<LimitsOptions>>().Value.LoginAttemptsPerMinute));
            limiter.AddPolicy(AnonymousTokens, context => IsServerSide(context)
                ? RateLimitPartition.GetNoLimiter("server-side")
                : PerMinute(context, context.RequestServices.GetRequiredService<IOptions<AnonymousCallsOptions>>().Value.PublicTokensPerMinute));
        });
        return services;
    }

    private static bool IsServerSide(HttpContext context) =>
        ApiKeys.Matches(context.Request.Headers[ApiKeys.ApiKeyHeader], context.RequestServices.GetRequiredService<IOptions<AnonymousCallsOptions>>().Value.ApiKeys);

    private static RateLimitPartition<string> PerMinute(HttpContext context, int permits) =>
        RateLimitPartition.GetFixedWindowLimiter(ClientAddressPartition.Of(context), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, permits),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        });
}
