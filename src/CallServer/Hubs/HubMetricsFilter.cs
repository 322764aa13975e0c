using CallServer.Observability.Metrics;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Hubs;

/// <summary>Counts connections and invocations by method and result (ok or the error code).</summary>
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
            var colon = exception.Message.IndexOf(':', StringComparison.Ordinal);
            metrics.Operation(invocationContext.HubMethodName, colon > 0 ? exception.Message[..colon] : "error");
            throw;
        }
        catch
        {
            metrics.Operation(invocationContext.HubMethodName, "error");
            throw;
        }
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        metrics.ConnectionOpened();
        try
        {
            await next(context);
        }
        catch
        {
            // A refused connection never reaches OnDisconnectedAsync.
            metrics.ConnectionClosed();
            throw;
        }
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        metrics.ConnectionClosed();
        return next(context, exception);
    }
}
