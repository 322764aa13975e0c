namespace CallServer.Configuration;

/// <summary><c>Limits:*</c>: what one client may send.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>The largest hub message (bytes); SignalR closes a connection that sends more.</summary>
    public long MaximumReceiveMessageSize { get; set; } = 160 * 1024;

    /// <summary>Hub invocations one connection may make per second, on average.</summary>
    public int HubInvocationsPerSecond { get; set; } = 20;

    /// <summary>Hub invocations one connection may make in a burst.</summary>
    public int HubInvocationBurst { get; set; } = 60;

    /// <summary>Token requests (<c>auth/token</c>) one client address may make per minute.</summary>
    public int LoginAttemptsPerMinute { get; set; } = 30;

    /// <summary>
    /// The longest an event may wait to be written to one device. A device that stops reading (its
    /// buffers full) is closed after it, so that it cannot hold up the events of other devices; it
    /// reconnects and <c>ResumeCall</c>s.
    /// </summary>
    public TimeSpan DeviceSendTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Devices (hub connections) one user may have at once, on all nodes; one more is refused <c>RateLimited</c>.</summary>
    public int MaxDevicesPerUser { get; set; } = 100;

    /// <summary>Hub invocations one user may make per second, on average, over all its connections to a node.</summary>
    public int UserInvocationsPerSecond { get; set; } = 200;

    /// <summary>Hub invocations one user may make in a burst, over all its connections to a node.</summary>
    public int UserInvocationBurst { get; set; } = 600;

    /// <summary>
    /// <c>SendDtmf</c> and <c>SendCustomParameters</c> one connection may send per second, on average (a burst of twice
    /// as many): messages relayed to the other party, limited apart from the other invocations.
    /// </summary>
    public int RelayMessagesPerSecond { get; set; } = 5;
}
