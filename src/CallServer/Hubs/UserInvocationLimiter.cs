using System.Threading.RateLimiting;
using CallServer.Configuration;
using Microsoft.Extensions.Options;

namespace CallServer.Hubs;

/// <summary>
/// A token bucket per user over all its connections to this node, beside the one per connection: many
/// connections of one user share one budget. Idle buckets are dropped by the limiter itself.
/// </summary>
public sealed class UserInvocationLimiter(IOptions<LimitsOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(user =>
        RateLimitPartition.GetTokenBucketLimiter(user, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.UserInvocationBurst,
            TokensPerPeriod = options.Value.UserInvocationsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public int PerSecond => options.Value.UserInvocationsPerSecond;

    public bool TryAcquire(string user)
    {
        using var lease = limiter.AttemptAcquire(user);
        return lease.IsAcquired;
    }

    public void Dispose() => limiter.Dispose();
}
