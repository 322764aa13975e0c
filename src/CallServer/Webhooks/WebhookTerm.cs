using CallServer.Domain.Ports;
using CallServer.Observability.Metrics;
using CallServer.Outbox;

namespace CallServer.Webhooks;

/// <summary>
/// What the leader runs while it holds the lease: the fan-out (<see cref="WebhookFanOut"/>: each event to the queue of
/// every receiver that wants it) and one pump per receiver (<see cref="WebhookPump"/>), side by side, so that a receiver
/// that is down, slow or failing delays only its own queue. Returns when the term's token is cancelled and all of them
/// stopped.
/// </summary>
public sealed class WebhookTerm(
    IOutbox outbox,
    WebhookPump.Settings settings,
    WebhookWakeups wakeups,
    IReadOnlyList<WebhookEndpoint> endpoints,
    WebhookDelivery delivery,
    string consumer,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger logger)
{
    public Task RunAsync(CancellationToken term)
    {
        var fanOut = new WebhookFanOut(outbox, settings.Outbox, wakeups.Events, endpoints, endpoint => wakeups.Of(endpoint).Set(), consumer, metrics, clock, logger);
        var pumps = endpoints.Select(endpoint => new WebhookPump(outbox, settings, wakeups.Of(endpoint), endpoint, delivery, consumer, metrics, clock, logger));
        return Task.WhenAll([fanOut.RunAsync(term), .. pumps.Select(pump => pump.RunAsync(term))]);
    }
}

/// <summary>The wake-ups of a term: of the fan-out (a save appended an event) and of each receiver's pump (by its <see cref="WebhookEndpoint.Key"/>).</summary>
public sealed class WebhookWakeups(OutboxWakeup events, IReadOnlyDictionary<string, OutboxWakeup> byEndpoint)
{
    public OutboxWakeup Events => events;

    public OutboxWakeup Of(WebhookEndpoint endpoint) => byEndpoint[endpoint.Key];

    /// <summary>Wake-ups that the node's saves (<paramref name="signal"/>) and the fan-out set; made once per node, for every term.</summary>
    public static WebhookWakeups Listen(OutboxSignal signal, IReadOnlyList<WebhookEndpoint> endpoints) =>
        new(signal.Listen(OutboxTopic.Webhooks), endpoints.ToDictionary(endpoint => endpoint.Key, endpoint => signal.Listen(endpoint.Topic), StringComparer.Ordinal));
}
