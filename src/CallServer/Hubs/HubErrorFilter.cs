using CallServer.Application;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Hubs;

/// <summary>Turns a refusal, or the store being away (<c>Unavailable</c>), into a <see cref="HubException"/> whose message starts with the error code.</summary>
public sealed class HubErrorFilter(ILogger<HubErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (CallRefusedException refused)
        {
            HubLog.Refused(logger, invocationContext.HubMethodName, invocationContext.Context.ConnectionId, refused.Error.Code);
            throw new HubException(refused.Message);
        }
        catch (StoreUnavailableException unavailable)
        {
            // Not a refusal of the rules: the store is away. The contract's answer is Unavailable, nothing changed.
            HubLog.Refused(logger, invocationContext.HubMethodName, invocationContext.Context.ConnectionId, ErrorCode.Unavailable);
            throw new HubException(DomainError.Of(ErrorCode.Unavailable, unavailable.Message).ToString());
        }
        catch (Exception exception) when (exception is not HubException and not OperationCanceledException)
        {
            // SignalR's own invocation failure log is turned down (it would log every refusal as an
            // error with a stack trace); real failures are logged here instead.
            HubLog.Failed(logger, exception, invocationContext.HubMethodName, invocationContext.Context.ConnectionId);
            throw;
        }
    }
}
