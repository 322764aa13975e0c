using System.Diagnostics;

namespace CallServer.Observability.Tracing;

/// <summary>The server's own spans: one per hub command and per timer firing, each tagged with its call id.</summary>
public static class CallServerActivities
{
    public const string SourceName = "CallServer";

    /// <summary>The tag that names the call of a span.</summary>
    public const string CallIdTag = "callserver.call_id";

    /// <summary>The tag that gives a refused command's error code.</summary>
    public const string ErrorCodeTag = "callserver.error_code";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>A span for a hub command, or null when nobody listens.</summary>
    public static Activity? StartHubCommand(string method, string? callId, string deviceId)
    {
        var activity = Source.StartActivity("hub " + method, ActivityKind.Server);
        activity?.SetTag("rpc.system", "signalr");
        activity?.SetTag("rpc.method", method);
        activity?.SetTag("callserver.device_id", deviceId);
        if (callId is not null)
        {
            activity?.SetTag(CallIdTag, callId);
        }

        return activity;
    }

    /// <summary>A span for one timer firing.</summary>
    public static Activity? StartTimer(string callId, string kind)
    {
        var activity = Source.StartActivity("timer " + kind, ActivityKind.Internal);
        activity?.SetTag(CallIdTag, callId);
        return activity;
    }
}
