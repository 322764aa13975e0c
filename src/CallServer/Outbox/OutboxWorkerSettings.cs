namespace CallServer.Outbox;

/// <summary>
/// How one topic's worker works the outbox, each topic its own (from its feature's options):
/// <paramref name="PollInterval"/> how often it looks for other nodes' messages (its own node's wake it at
/// once); <paramref name="ClaimAfter"/> after how long an entry taken and not acknowledged (its node died) is
/// taken by another; <paramref name="MaxInHand"/> how many entries one node works on at once.
/// </summary>
public sealed record OutboxWorkerSettings(TimeSpan PollInterval, TimeSpan ClaimAfter, int MaxInHand)
{
    /// <summary>The shortest claim period: an entry's keeper renews it every third of it.</summary>
    public static readonly TimeSpan MinClaimAfter = TimeSpan.FromMilliseconds(300);
}
