using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using CallServer.Domain.Views;
using CallServer.Observability.Tracing;
using Microsoft.AspNetCore.SignalR;

namespace CallServer.Hubs;

/// <summary>One span per hub command, tagged with its call id (the first argument, or the created call's).</summary>
public sealed class HubTracingFilter : IHubFilter
{
    private static readonly ConcurrentDictionary<MethodInfo, bool> TakesCallIdFirst = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var takesCallId = TakesCallIdFirst.GetOrAdd(invocationContext.HubMethod, method => method.GetParameters() is [{ Name: "callId" }, ..]);
        var callId = takesCallId && invocationContext.HubMethodArguments is [string id, ..] ? id : null;
        using var activity = CallServerActivities.StartHubCommand(invocationContext.HubMethodName, callId, invocationContext.Context.ConnectionId);
        try
        {
            var result = await next(invocationContext);
            if (result is CallSnapshot snapshot && callId is null)
            {
                activity?.SetTag(CallServerActivities.CallIdTag, snapshot.CallId);
            }

            return result;
        }
        catch (HubException exception)
        {
            activity?.SetTag(CallServerActivities.ErrorCodeTag, HubErrorCodes.Of(exception));
            activity?.SetStatus(ActivityStatusCode.Error, HubErrorCodes.Of(exception));
            throw;
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            throw;
        }
    }
}
