namespace CallServer.Tests.Infrastructure;

/// <summary>A hub invocation that completed with an error.</summary>
public sealed class HubErrorException(string method, string message) : Exception(message)
{
    /// <summary>The method that was invoked.</summary>
    public string Method { get; } = method;

    /// <summary>The contract's error code: the text before the first ':' of the hub exception's message.</summary>
    public string Code { get; } = CodeOf(message);

    /// <summary>
    /// The server's text is "An unexpected error occurred invoking 'X' on the server. HubException: Code: message"
    /// (SignalR prefixes a HubException's message); the code is what follows that prefix.
    /// </summary>
    public static string CodeOf(string message)
    {
        const string marker = "HubException: ";
        var start = message.IndexOf(marker, StringComparison.Ordinal);
        var text = start >= 0 ? message[(start + marker.Length)..] : message;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 ? text[..colon] : text;
    }
}
