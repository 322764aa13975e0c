using System.Diagnostics;
using CallServer.Adapters.Redis;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Ports;
using StackExchange.Redis;

namespace CallServer.Adapters.LeaderLease;

/// <summary>
/// A lease in Redis: a key holding the holder's node id, with an expiry (<paramref name="duration"/>). It is
/// taken when free (SET NX PX) and renewed by its holder every third of the duration (the same script:
/// "free or mine"). The holder counts on it only up to five sixths of the duration after the start of its
/// last successful renewal, so it stops before another node can take the lease; a new term starts only
/// after <paramref name="handover"/> (the claim period of what the previous holder was working on), so that
/// every entry it had taken can be claimed at once. Given up (deleted if still this node's) at the term's end.
/// </summary>
public sealed class RedisLeaderLease(
    RedisConnection redis,
    RedisKey key,
    string holder,
    TimeSpan duration,
    TimeSpan handover,
    ILogger logger) : ILeaderLease
{
    private const string HoldScript = """
        local current = redis.call('GET', KEYS[1])
        if current == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        elseif not current then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return 1
        end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          return redis.call('DEL', KEYS[1])
        end
        return 0
        """;

    private bool failing;

    public TimeSpan RetryInterval => duration / 3;

    private TimeSpan RenewEvery => duration / 3;

    /// <summary>How long after the start of a successful hold this node counts on the lease.</summary>
    private TimeSpan Trusted => duration * 5 / 6;

    public async Task<LeaderTerm?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        if (!await TryHoldAsync())
        {
            return null;
        }

        var term = new Term(this, startedAt);
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(term.Token, cancellationToken);
            await Task.Delay(handover, either.Token);
            return term;
        }
        catch (OperationCanceledException)
        {
            await term.DisposeAsync();
            cancellationToken.ThrowIfCancellationRequested();
            return null;
        }
    }

    /// <summary>Holds the lease for <c>duration</c> from now if free or this node's; false when another node holds it or Redis is away.</summary>
    private async Task<bool> TryHoldAsync()
    {
        try
        {
            var held = (long)await redis.Guard(() => redis.Database.ScriptEvaluateAsync(HoldScript, [key], [holder, (long)duration.TotalMilliseconds]));
            failing = false;
            return held == 1;
        }
        catch (StoreUnavailableException unavailable)
        {
            if (!failing)
            {
                WebhookLog.LeaseFailing(logger, holder, unavailable.Message);
                failing = true;
            }

            return false;
        }
    }

    private async Task ReleaseAsync()
    {
        try
        {
            await redis.Guard(() => redis.Database.ScriptEvaluateAsync(ReleaseScript, [key], [holder]));
        }
        catch (StoreUnavailableException)
        {
            // It expires by itself.
        }
    }

    private sealed class Term : LeaderTerm
    {
        private readonly RedisLeaderLease lease;
        private readonly Task renewing;

        public Term(RedisLeaderLease lease, long heldSince)
        {
            this.lease = lease;
            Trust(heldSince);
            renewing = RenewAsync();
        }

        protected override Task RunningAsync => renewing;

        protected override Task ReleaseAsync() => lease.ReleaseAsync();

        private void Trust(long heldSince) => EndAfter(lease.Trusted - Stopwatch.GetElapsedTime(heldSince));

        private async Task RenewAsync()
        {
            try
            {
                while (true)
                {
                    await Task.Delay(lease.RenewEvery, Token);
                    var startedAt = Stopwatch.GetTimestamp();
                    if (await lease.TryHoldAsync())
                    {
                        Trust(startedAt);
                    }
                    else if (!lease.failing)
                    {
                        End(); // another node holds it
                        return;
                    }

                    // Redis is away: the term ends by itself when the lease can no longer be counted on.
                }
            }
            catch (OperationCanceledException)
            {
                // The term ended.
            }
        }
    }
}
