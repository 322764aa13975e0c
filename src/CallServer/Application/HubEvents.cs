namespace CallServer.Application;

/// <summary>The contract's event names (server → client).</summary>
public static class HubEvents
{
    public const string IncomingCall = nameof(IncomingCall);
    public const string CallStatusChanged = nameof(CallStatusChanged);
    public const string RemoteDescription = nameof(RemoteDescription);
    public const string RenegotiationRequested = nameof(RenegotiationRequested);
    public const string CallOperationCompleted = nameof(CallOperationCompleted);
    public const string MediaAttributesChanged = nameof(MediaAttributesChanged);
    public const string IceCandidate = nameof(IceCandidate);

    /// <summary>Added (issue 16): <c>(callId, newCallId, target, transferredBy)</c>, to the transferee: place <c>newCallId</c> with your own offer.</summary>
    public const string TransferRequested = nameof(TransferRequested);

    /// <summary>Added (issue 16): <c>(callId, newCallId, transferredBy)</c>, to the target of a consultative transfer: accept <c>newCallId</c> without ringing.</summary>
    public const string TransferConnected = nameof(TransferConnected);

    /// <summary>Added (issue 16): <c>(callId, state, reason)</c>, to the transferor: <c>Trying</c>, <c>Ringing</c>, <c>Succeeded</c> or <c>Failed</c>.</summary>
    public const string TransferProgress = nameof(TransferProgress);

    /// <summary>Added (issue 18): <c>(callId, digits)</c>, to the other party: it sent DTMF digits (<c>SendDtmf</c>).</summary>
    public const string DtmfReceived = nameof(DtmfReceived);

    /// <summary>Added (issue 18): <c>(callId, customParameters)</c>, to the other party: the parameters it just sent.</summary>
    public const string CustomParametersReceived = nameof(CustomParametersReceived);

    /// <summary>Added: this node is shutting down; reconnect (to another node) and ResumeCall.</summary>
    public const string ServerDraining = nameof(ServerDraining);

    /// <summary>Added: the account's call history changed (an entry added or removed, or all cleared).</summary>
    public const string CallHistoryChanged = nameof(CallHistoryChanged);
}
