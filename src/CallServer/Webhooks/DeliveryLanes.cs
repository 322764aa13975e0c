namespace CallServer.Webhooks;

/// <summary>
/// One lane per endpoint and call: the events of a call reach an endpoint one after another, in the order
/// they were queued (while one is retried, the later ones wait), and lanes run concurrently. A lane exists
/// while it has events; <see cref="StopAsync"/> waits for every lane once the token given at construction
/// is cancelled (a lane stops at its next event, or at once in a wait or request).
/// </summary>
public sealed class DeliveryLanes(Func<WebhookEndpoint, WebhookEvent, CancellationToken, Task> deliver, CancellationToken cancellationToken, Action<WebhookEvent, Exception>? failed = null)
{
    private readonly Lock gate = new();
    private readonly Dictionary<(int Endpoint, string CallId), Queue<Queued>> lanes = [];
    private readonly HashSet<Task> running = [];

    /// <summary>Queues <paramref name="webhook"/> for <paramref name="endpoint"/>; <paramref name="done"/> runs once it is delivered or dropped (not when stopped).</summary>
    public void Enqueue(WebhookEndpoint endpoint, WebhookEvent webhook, Action done)
    {
        var key = (endpoint.Index, webhook.CallId);
        Queue<Queued> lane;
        lock (gate)
        {
            if (lanes.TryGetValue(key, out var existing))
            {
                existing.Enqueue(new Queued(endpoint, webhook, done));
                return;
            }

            lane = new Queue<Queued>();
            lane.Enqueue(new Queued(endpoint, webhook, done));
            lanes[key] = lane;
        }

        Track(Task.Run(() => DrainAsync(key, lane)));
    }

    /// <summary>Waits for every lane to end (they end when the token is cancelled, or when empty).</summary>
    public async Task StopAsync()
    {
        Task[] all;
        lock (gate)
        {
            all = [.. running];
        }

        await Task.WhenAll(all).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task DrainAsync((int Endpoint, string CallId) key, Queue<Queued> lane)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Queued next;
            lock (gate)
            {
                if (!lane.TryPeek(out next!))
                {
                    lanes.Remove(key);
                    return;
                }
            }

            try
            {
                await deliver(next.Endpoint, next.Webhook, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception unexpected)
            {
                // A bug must not stall the lane (and with it every later event of the call): the event is
                // given up like a dropped one, reported, and the lane goes on.
                failed?.Invoke(next.Webhook, unexpected);
            }

            try
            {
                next.Done();
            }
            catch (Exception unexpected)
            {
                // The lane must go on whatever its caller's callback does, or the call's later events wait forever.
                failed?.Invoke(next.Webhook, unexpected);
            }

            lock (gate)
            {
                lane.Dequeue();
            }
        }
    }

    private void Track(Task lane)
    {
        lock (gate)
        {
            running.Add(lane);
        }

        lane.ContinueWith(
            finished =>
            {
                lock (gate)
                {
                    running.Remove(finished);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private sealed record Queued(WebhookEndpoint Endpoint, WebhookEvent Webhook, Action Done);
}
