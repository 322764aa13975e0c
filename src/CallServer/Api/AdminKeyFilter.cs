using CallServer.Configuration;
using CallServer.Domain.Errors;
using Microsoft.Extensions.Options;

namespace CallServer.Api;

/// <summary>Lets a request through only with the configured <c>X-Admin-Key</c>; with none configured the API is closed.</summary>
public sealed class AdminKeyFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var configured = options.Value.ApiKey;
        if (string.IsNullOrEmpty(configured))
        {
            return ApiProblem.Result(ErrorCode.Forbidden, "the users API is closed: set Admin:ApiKey to open it");
        }

        if (!ApiKeys.Matches(context.HttpContext.Request.Headers[ApiKeys.AdminKeyHeader], [configured]))
        {
            return ApiProblem.Result(ErrorCode.Unauthorized, $"a valid {ApiKeys.AdminKeyHeader} is required");
        }

        return await next(context);
    }
}
