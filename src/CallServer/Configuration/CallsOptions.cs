namespace CallServer.Configuration;

/// <summary><c>Calls:*</c>: the default domain and the timers of the contract.</summary>
public sealed class CallsOptions
{
    public const string Section = "Calls";

    public string DefaultDomain { get; set; } = "callserver.local";

    public TimeSpan RingTimeout { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan ReconnectGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Calls one caller may have in progress at once; one more is refused with RateLimited.</summary>
    public int MaxCallsPerCaller { get; set; } = 10;

    /// <summary>How long an ended call stays readable (GetCall, REST) before it is dropped.</summary>
    public TimeSpan EndedCallRetention { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often due timers are looked for.</summary>
    public TimeSpan TimerPollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Rule 22: what a call to a user whose devices are in other calls does, unless the user has its own (<c>busyPolicy</c>).</summary>
    public Domain.Calls.BusyPolicy BusyPolicy { get; set; } = Domain.Calls.BusyPolicy.CallWaiting;
}
