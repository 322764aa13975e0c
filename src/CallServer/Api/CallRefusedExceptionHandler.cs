using CallServer.Application;
using Microsoft.AspNetCore.Diagnostics;

namespace CallServer.Api;

/// <summary>A refusal that escapes a REST endpoint (the store away, say) becomes its problem details.</summary>
public sealed class CallRefusedExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not CallRefusedException refused)
        {
            return false;
        }

        await ApiProblem.Write(httpContext, refused.Error.Code, refused.Error.Message);
        return true;
    }
}
