using Microsoft.AspNetCore.SignalR;

namespace CallServer.Hubs;

/// <summary>Reads the error code back from a refusal's <see cref="HubException"/> ("Code: message").</summary>
public static class HubErrorCodes
{
    public static string Of(HubException exception)
    {
        var colon = exception.Message.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? exception.Message[..colon] : "error";
    }
}
