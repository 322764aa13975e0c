namespace CallServer.Configuration;

/// <summary><c>Push:*</c> settings of registrations and of sending (the providers' own are in their sections).</summary>
public sealed class PushDispatchOptions
{
    public const string Section = "Push";

    /// <summary>Registrations one user may have; one more is refused <c>RateLimited</c>.</summary>
    public int MaxRegistrationsPerUser { get; set; } = 10;

    /// <summary>How often each node looks for pushes decided by other nodes (its own go out at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>A push taken by a node that then stops working on it (the node died) is taken by another after this.</summary>
    public TimeSpan ClaimAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Pushes one node sends at once.</summary>
    public int MaxConcurrentPushes { get; set; } = 64;
}
