namespace CallServer.Domain.Decisions;

/// <summary>The timers of the contract (rules 4, 10, 12).</summary>
public sealed record DeciderSettings(TimeSpan RingTimeout, TimeSpan OperationTimeout, TimeSpan ReconnectGrace, int MaxForwardHops = 5, int MaxCallsPerCaller = 10)
{
    public static readonly DeciderSettings Default = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
}
