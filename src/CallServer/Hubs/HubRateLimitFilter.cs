using System.Threading.RateLimiting;
using CallServer.Configuration;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CallServer.Hubs;

/// <summary>
/// A token bucket per connection, and one per user over all its connections (<see cref="UserInvocationLimiter"/>):
/// an invocation past either fails with <c>RateLimited</c> and does nothing.
/// </summary>
public sealed class HubRateLimitFilter(IOptions<LimitsOptions> options, UserInvocationLimiter users) : IHubFilter
{
    private static readonly object LimiterKey = new();

    private static readonly object RelayLimiterKey = new();

    /// <summary>The methods that relay a message to the other party, limited on their own as well (<see cref="LimitsOptions.RelayMessagesPerSecond"/>).</summary>
    private static readonly HashSet<string> RelayMethods = new(StringComparer.OrdinalIgnoreCase) { nameof(CallHub.SendDtmf), nameof(CallHub.SendCustomParameters) };

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var limiter = (RateLimiter)invocationContext.Context.Items[LimiterKey]!;
        using var lease = limiter.AttemptAcquire();
        if (!lease.IsAcquired)
        {
            throw new HubException($"RateLimited: at most {options.Value.HubInvocationsPerSecond} invocations per second per connection");
        }

        var user = invocationContext.Context.User?.FindFirst(Auth.CallServerClaims.Subject)?.Value ?? invocationContext.Context.ConnectionId;
        if (!users.TryAcquire(user))
        {
            throw new HubException($"RateLimited: at most {users.PerSecond} invocations per second per user");
        }

        if (RelayMethods.Contains(invocationContext.HubMethodName))
        {
            using var relayLease = ((RateLimiter)invocationContext.Context.Items[RelayLimiterKey]!).AttemptAcquire();
            if (!relayLease.IsAcquired)
            {
                throw new HubException($"RateLimited: at most {options.Value.RelayMessagesPerSecond} DTMF or custom parameter messages per second per connection");
            }
        }

        return await next(invocationContext);
    }

    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var limits = options.Value;
        context.Context.Items[LimiterKey] = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.HubInvocationBurst,
            TokensPerPeriod = limits.HubInvocationsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        context.Context.Items[RelayLimiterKey] = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = limits.RelayMessagesPerSecond * 2,
            TokensPerPeriod = limits.RelayMessagesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        return next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        foreach (var key in new[] { LimiterKey, RelayLimiterKey })
        {
            if (context.Context.Items[key] is RateLimiter limiter)
            {
                await limiter.DisposeAsync();
            }
        }

        await next(context, exception);
    }
}
