namespace CallServer.Ports;

/// <summary>
/// What a push tells a device, never the SDP. <see cref="ExpiresAt"/> is when it stops mattering (the
/// end of ringing): providers get it as the expiration / TTL, and retries stop there.
/// </summary>
public abstract record PushMessage(string CallId, DateTimeOffset ExpiresAt)
{
    /// <summary>The payload's <c>type</c>.</summary>
    public abstract string Type { get; }

    /// <summary>The payload's fields, as the contract names them (<c>type</c> first); values are strings, booleans or null.</summary>
    public abstract IReadOnlyList<KeyValuePair<string, object?>> Fields { get; }

    /// <summary>
    /// What a push service replaces by (Web Push <c>Topic</c>, FCM <c>collapse_key</c>): the call's id for its incoming-call
    /// push and its cancel, so that a phone that was offline gets the cancel only; a missed-call push has a key of its own,
    /// so that neither the cancel nor anything else of the call replaces it.
    /// </summary>
    public virtual string CollapseKey => CallId;
}

/// <summary><c>{ "type": "incomingCall", "callId", "from", "displayName", "video", "expiresAt" }</c>.</summary>
public sealed record IncomingCallPush(string CallId, string From, string? DisplayName, bool Video, DateTimeOffset ExpiresAt)
    : PushMessage(CallId, ExpiresAt)
{
    public override string Type => "incomingCall";

    public override IReadOnlyList<KeyValuePair<string, object?>> Fields =>
    [
        new("type", Type),
        new("callId", CallId),
        new("from", From),
        new("displayName", DisplayName),
        new("video", Video),
        new("expiresAt", ExpiresAt.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

/// <summary><c>{ "type": "callCanceled", "callId", "reason" }</c>: the call stopped ringing (the phone stops ringing).</summary>
public sealed record CallCanceledPush(string CallId, string Reason, DateTimeOffset ExpiresAt)
    : PushMessage(CallId, ExpiresAt)
{
    public override string Type => "callCanceled";

    public override IReadOnlyList<KeyValuePair<string, object?>> Fields =>
    [
        new("type", Type),
        new("callId", CallId),
        new("reason", Reason),
    ];
}

/// <summary>
/// <c>{ "type": "missedCall", "callId", "from", "displayName", "video", "reason" }</c> (issue 20): a call that woke the
/// account ended unanswered (<c>reason</c>: <c>Canceled</c>, the caller hung up; <c>NoAnswer</c>, no one answered in time).
/// A visible notification: on APNs an alert push to the registration's <c>alertToken</c>.
/// </summary>
public sealed record MissedCallPush(string CallId, string From, string? DisplayName, bool Video, string Reason, DateTimeOffset ExpiresAt)
    : PushMessage(CallId, ExpiresAt)
{
    public override string Type => "missedCall";

    public override string CollapseKey => "missed-" + CallId;

    public override IReadOnlyList<KeyValuePair<string, object?>> Fields =>
    [
        new("type", Type),
        new("callId", CallId),
        new("from", From),
        new("displayName", DisplayName),
        new("video", Video),
        new("reason", Reason),
    ];
}
