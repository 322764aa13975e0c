using System.Collections.Concurrent;
using CallServer.Webhooks;

namespace CallServer.Tests.Shell;

/// <summary>
/// One lane per endpoint and call (<see cref="DeliveryLanes"/>): a call's events reach an endpoint one after
/// another in the order queued, lanes run concurrently, a delivery that throws is reported without stalling
/// its lane, and <see cref="DeliveryLanes.StopAsync"/> returns once the token is cancelled.
/// </summary>
public sealed class DeliveryLanesTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
    private static readonly IReadOnlyList<WebhookEndpoint> Endpoints = WebhookKit.Endpoints(("zero", null), ("one", null));

    private readonly Conditions changes = new();
    private readonly ConcurrentQueue<(int Endpoint, string Id)> started = new();
    private readonly ConcurrentQueue<(int Endpoint, string Id)> done = new();
    private readonly ConcurrentQueue<(WebhookEvent Webhook, Exception Error)> failed = new();
    private readonly ConcurrentDictionary<(int, string), int> busyLanes = new();
    private int overlaps;

    [Fact]
    public async Task A_call_s_events_reach_an_endpoint_one_after_another_in_the_order_queued()
    {
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var lanes = Lanes(webhook => webhook.Id == WebhookKit.Id("A", 1) ? firstGate.Task : Yields(webhook), stop.Token);
        for (var n = 1; n <= 20; n++)
        {
            lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", n, Now), Done(0, WebhookKit.Id("A", n)));
        }

        await changes.Until(() => !started.IsEmpty, "the first delivery started");
        Assert.Equal([(0, WebhookKit.Id("A", 1))], started); // the later ones wait for it

        firstGate.SetResult();
        await changes.Until(() => done.Count == 20, "twenty events done");
        var expected = Enumerable.Range(1, 20).Select(n => (0, WebhookKit.Id("A", n))).ToList();
        Assert.Equal(expected, started);
        Assert.Equal(expected, done);
        Assert.Equal(0, Volatile.Read(ref overlaps));
        await StopAsync(lanes, stop);
    }

    [Fact]
    public async Task Events_queued_while_a_lane_drains_and_empties_are_never_lost_nor_reordered()
    {
        using var stop = new CancellationTokenSource();
        var lanes = Lanes(Yields, stop.Token);
        for (var n = 1; n <= 500; n++)
        {
            lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", n, Now), Done(0, WebhookKit.Id("A", n)));
            if (n % 7 == 0)
            {
                await Task.Yield(); // let the lane catch up and empty now and then
            }
        }

        await changes.Until(() => done.Count == 500, "five hundred events done");
        Assert.Equal(Enumerable.Range(1, 500).Select(n => (0, WebhookKit.Id("A", n))), done);
        Assert.Equal(0, Volatile.Read(ref overlaps));
        await StopAsync(lanes, stop);
    }

    [Fact]
    public async Task Lanes_of_other_calls_and_of_other_endpoints_go_on_while_one_lane_waits()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var lanes = Lanes((endpoint, webhook) => endpoint.Index == 0 && webhook.CallId == "A" ? held.Task : Task.CompletedTask, stop.Token);

        lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", 1, Now), Done(0, WebhookKit.Id("A", 1)));
        lanes.Enqueue(Endpoints[1], WebhookKit.Event("A", 1, Now), Done(1, WebhookKit.Id("A", 1)));
        lanes.Enqueue(Endpoints[0], WebhookKit.Event("B", 1, Now), Done(0, WebhookKit.Id("B", 1)));
        lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", 2, Now), Done(0, WebhookKit.Id("A", 2)));

        await changes.Until(() => done.Count == 2, "the other call's and the other endpoint's events done");
        Assert.Equivalent(new[] { (0, WebhookKit.Id("B", 1)), (1, WebhookKit.Id("A", 1)) }, done.ToArray(), strict: true);
        Assert.DoesNotContain((0, WebhookKit.Id("A", 2)), started);

        held.SetResult();
        await changes.Until(() => done.Count == 4, "the held lane done");
        Assert.Equal([(0, WebhookKit.Id("A", 1)), (0, WebhookKit.Id("A", 2))], done.Where(d => d.Endpoint == 0 && d.Id.Contains("_A_", StringComparison.Ordinal)));
        await StopAsync(lanes, stop);
    }

    [Fact]
    public async Task A_delivery_that_throws_is_reported_given_up_and_its_lane_goes_on()
    {
        using var stop = new CancellationTokenSource();
        var lanes = Lanes(webhook => webhook.Id == WebhookKit.Id("A", 2) ? throw new InvalidOperationException("a bug") : Task.CompletedTask, stop.Token);
        for (var n = 1; n <= 3; n++)
        {
            lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", n, Now), Done(0, WebhookKit.Id("A", n)));
        }

        await changes.Until(() => done.Count == 3, "the three events done");
        Assert.Equal(Enumerable.Range(1, 3).Select(n => (0, WebhookKit.Id("A", n))), done);
        var (webhook, error) = Assert.Single(failed);
        Assert.Equal(WebhookKit.Id("A", 2), webhook.Id);
        Assert.Equal("a bug", error.Message);
        await StopAsync(lanes, stop);
    }

    [Fact]
    public async Task StopAsync_after_the_cancel_returns_leaving_what_was_not_finished_undone_and_unreported()
    {
        using var stop = new CancellationTokenSource();
        var lanes = Lanes((_, _) => Task.Delay(Timeout.InfiniteTimeSpan, stop.Token), stop.Token);
        lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", 1, Now), Done(0, WebhookKit.Id("A", 1)));
        lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", 2, Now), Done(0, WebhookKit.Id("A", 2)));
        lanes.Enqueue(Endpoints[0], WebhookKit.Event("B", 1, Now), Done(0, WebhookKit.Id("B", 1)));
        await changes.Until(() => started.Count == 2, "one delivery started in each lane");

        await stop.CancelAsync();
        await lanes.StopAsync().WaitAsync(Conditions.Bound);

        Assert.Empty(done);
        Assert.Empty(failed);
        Assert.DoesNotContain((0, WebhookKit.Id("A", 2)), started);
    }

    [Fact]
    public async Task StopAsync_with_every_lane_drained_returns_at_once()
    {
        using var stop = new CancellationTokenSource();
        var lanes = Lanes(Yields, stop.Token);
        lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", 1, Now), Done(0, WebhookKit.Id("A", 1)));
        await changes.Until(() => done.Count == 1, "the event done");

        await lanes.StopAsync().WaitAsync(Conditions.Bound);
        Assert.False(stop.IsCancellationRequested);
    }

    [Fact]
    public async Task A_done_callback_that_throws_is_reported_and_the_lane_goes_on()
    {
        using var stop = new CancellationTokenSource();
        var lanes = Lanes(Yields, stop.Token);

        lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", 1, Now), () => throw new KeyNotFoundException("no longer tracked"));
        lanes.Enqueue(Endpoints[0], WebhookKit.Event("A", 2, Now), Done(0, WebhookKit.Id("A", 2)));

        await changes.Until(() => done.Count == 1, "the next event of the lane done");
        Assert.Equal([(0, WebhookKit.Id("A", 2))], done);
        Assert.IsType<KeyNotFoundException>(Assert.Single(failed).Error);
        await StopAsync(lanes, stop);
    }

    private static async Task Yields(WebhookEvent webhook)
    {
        for (var i = 0; i < webhook.Id.Length % 3; i++)
        {
            await Task.Yield();
        }
    }

    private static async Task StopAsync(DeliveryLanes lanes, CancellationTokenSource stop)
    {
        await stop.CancelAsync();
        await lanes.StopAsync().WaitAsync(Conditions.Bound);
    }

    private DeliveryLanes Lanes(Func<WebhookEvent, Task> deliver, CancellationToken token) => Lanes((_, webhook) => deliver(webhook), token);

    /// <summary>Lanes whose delivery is <paramref name="deliver"/>, recording what starts and counting two deliveries at once in one lane.</summary>
    private DeliveryLanes Lanes(Func<WebhookEndpoint, WebhookEvent, Task> deliver, CancellationToken token) => new(
        async (endpoint, webhook, _) =>
        {
            var lane = (endpoint.Index, webhook.CallId);
            if (busyLanes.AddOrUpdate(lane, 1, (_, busy) => busy + 1) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            started.Enqueue((endpoint.Index, webhook.Id));
            changes.Notify();
            try
            {
                await deliver(endpoint, webhook);
            }
            finally
            {
                busyLanes.AddOrUpdate(lane, 0, (_, busy) => busy - 1);
            }
        },
        token,
        (webhook, error) =>
        {
            failed.Enqueue((webhook, error));
            changes.Notify();
        });

    private Action Done(int endpoint, string id) => () =>
    {
        done.Enqueue((endpoint, id));
        changes.Notify();
    };
}
