using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Adapters.Timers;
using CallServer.Adapters.Redis;
using CallServer.Storage.Tests.Infrastructure;

namespace CallServer.Storage.Tests.Timers;

public sealed class RedisTimerQueueTests : TimerQueueContract, IClassFixture<RedisServer>, IDisposable
{
    private static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(200);

    private readonly RedisScope redis;

    public RedisTimerQueueTests(RedisServer server)
    {
        redis = new RedisScope(server, o => o.TimerClaimLease = Lease);
        Queue = new RedisTimerQueue(redis.Connect(), redis.Keys, redis.Options);
        OtherNode = new RedisTimerQueue(redis.Connect(), redis.Keys, redis.Options);
    }

    protected override ITimerQueue Queue { get; }

    protected override ITimerQueue OtherNode { get; }

    [Fact]
    public async Task A_claimed_timer_never_completed_is_handed_out_again_after_the_lease()
    {
        var timer = Timer("c1", T0, CallTimerKind.ReconnectGrace, "callee:1");
        await Queue.ScheduleAsync(timer);
        Assert.Single(await Queue.ClaimDueAsync(T0, 10)); // this node dies before completing it

        Assert.Empty(await OtherNode.ClaimDueAsync(T0 + Lease - TimeSpan.FromMilliseconds(1), 10));
        var again = await OtherNode.ClaimDueAsync(T0 + Lease, 10);

        Assert.Equal(timer, Assert.Single(again));
        await OtherNode.CompleteAsync(again[0]);
        Assert.Empty(await Queue.ClaimDueAsync(T0 + (Lease * 10), 10));
    }

    [Fact]
    public async Task A_completed_timer_is_not_handed_out_again_after_the_lease()
    {
        var completed = Timer("c1", T0);
        var abandoned = Timer("c2", T0);
        await Queue.ScheduleAsync(completed);
        await Queue.ScheduleAsync(abandoned);
        Assert.Equal(2, (await Queue.ClaimDueAsync(T0, 10)).Count);

        await Queue.CompleteAsync(completed);

        Assert.Equal([abandoned], await OtherNode.ClaimDueAsync(T0 + (Lease * 2), 10));
        Assert.Empty(await OtherNode.ClaimDueAsync(T0 + (Lease * 2), 10));
    }

    [Fact]
    public async Task A_reclaimed_timer_gets_a_new_lease()
    {
        var timer = Timer("c1", T0);
        await Queue.ScheduleAsync(timer);
        await Queue.ClaimDueAsync(T0, 10);
        var reclaimedAt = T0 + Lease;
        Assert.Single(await OtherNode.ClaimDueAsync(reclaimedAt, 10));

        Assert.Empty(await Queue.ClaimDueAsync(reclaimedAt + Lease - TimeSpan.FromMilliseconds(1), 10));
        Assert.Single(await Queue.ClaimDueAsync(reclaimedAt + Lease, 10));
    }

    public void Dispose() => redis.Dispose();
}
