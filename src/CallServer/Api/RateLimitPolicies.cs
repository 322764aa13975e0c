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

    /// <summary>Per backend key (by a hash of it: the key is never a partition name in memory dumps or logs), or per address without one.</summary>
    public const string UserTokens = "user-tokens";

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
            limiter.AddPolicy(UserTokens, context => RateLimitPartition.GetFixedWindowLimiter(
                UserTokenPartition(context),
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, context.RequestServices.GetRequiredService<IOptions<Auth.AuthOptions>>().Value.UserTokensPerMinute),
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
        return services;
    }

    private static string UserTokenPartition(HttpContext context)
    {
        var key = context.Request.Headers[ApiKeys.ApiKeyHeader].ToString();
        return key.Length > 0
            ? "key:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)))[..16]
            : "address:" + ClientAddressPartition.Of(context);
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
