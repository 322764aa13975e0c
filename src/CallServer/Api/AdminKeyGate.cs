using System.Threading.RateLimiting;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace CallServer.Api;

/// <summary>
/// In front of the users API, before anything reads the request body: no configured key, the API is
/// closed (403); a wrong or missing <c>X-Admin-Key</c> is 401 and counts against the client address,
/// which after <see cref="AdminOptions.FailedKeysPerMinute"/> failures gets 429 for the rest of the
/// minute, whatever key it sends; a right key gets through with a body cap of
/// <see cref="AdminOptions.MaxRequestBodySize"/>.
/// </summary>
public sealed class AdminKeyGate(RequestDelegate next, IOptions<AdminOptions> options) : IDisposable
{
    public const string Path = "/api/v1/users";

    /// <summary>The other admin API (issue 18: the call lookup).</summary>
    public const string AdminPath = "/api/v1/admin";

    private readonly PartitionedRateLimiter<string> failures = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.FailedKeysPerMinute),
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    public async Task InvokeAsync(HttpContext context)
    {
        var configured = options.Value.ApiKey;
        if (string.IsNullOrEmpty(configured))
        {
            await ApiProblem.Write(context, ErrorCode.Forbidden, "the users API is closed: set Admin:ApiKey to open it");
            return;
        }

        var address = ClientAddressPartition.Of(context);
        if (failures.GetStatistics(address) is { CurrentAvailablePermits: <= 0 })
        {
            await ApiProblem.Write(context, ErrorCode.RateLimited, "too many wrong admin keys from this address; try again later");
            return;
        }

        if (!ApiKeys.Matches(context.Request.Headers[ApiKeys.AdminKeyHeader], [configured]))
        {
            using var counted = failures.AttemptAcquire(address);
            await ApiProblem.Write(context, ErrorCode.Unauthorized, $"a valid {ApiKeys.AdminKeyHeader} is required");
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = options.Value.MaxRequestBodySize;
        }

        await next(context);
    }

    public void Dispose() => failures.Dispose();
}
