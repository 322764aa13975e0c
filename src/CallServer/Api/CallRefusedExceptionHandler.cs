using CallServer.Application;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using Microsoft.AspNetCore.Diagnostics;

namespace CallServer.Api;

/// <summary>A refusal that escapes a REST endpoint becomes its problem details; the store being away, <c>Unavailable</c> (503).</summary>
public sealed class CallRefusedExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case CallRefusedException refused:
                await ApiProblem.Write(httpContext, refused.Error.Code, refused.Error.Message);
                return true;
            case StoreUnavailableException unavailable:
                await ApiProblem.Write(httpContext, ErrorCode.Unavailable, unavailable.Message);
                return true;
            default:
                return false;
        }
    }
}
