using CallServer.Observability.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Hubs;

/// <summary>Counts invocations by method and result (ok or the error code).</summary>
public sealed class HubMetricsFilter(CallServerMetrics metrics) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            var result = await next(invocationContext);
            metrics.Operation(invocationContext.HubMethodName, "ok");
            return result;
        }
        catch (HubException exception)
        {
            metrics.Operation(invocationContext.HubMethodName, HubErrorCodes.Of(exception));
            throw;
        }
        catch
        {
            metrics.Operation(invocationContext.HubMethodName, "error");
            throw;
        }
    }
}
