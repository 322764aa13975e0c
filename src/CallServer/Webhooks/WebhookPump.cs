using System.Text.Json;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
using CallServer.Outbox;

namespace CallServer.Webhooks;

/// <summary>
/// The leader's work during one term: takes webhook entries from the outbox in stream order (those a
/// previous leader left unacknowledged first), hands each event to the lane of every endpoint that wants
/// it, keeps the claim on the entries in progress every third of the claim period, and acknowledges an
/// entry when every endpoint is done with it. At most <see cref="MaxInFlight"/> entries are in progress.
/// Returns when the term's token is cancelled, its lanes stopped (what they had not finished stays in the
/// outbox for the next leader).
/// </summary>
public sealed class WebhookPump(
    IOutbox outbox,
    OutboxWorkerSettings settings,
    OutboxWakeup wakeup,
    IReadOnlyList<WebhookEndpoint> endpoints,
    WebhookDelivery delivery,
    string consumer,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger logger)
{
    /// <summary>Entries taken with one read of the outbox, at most.</summary>
    private const int TakeAtOnce = 64;

    /// <summary>Entries in progress at most (<see cref="OutboxWorkerSettings.MaxInHand"/>).</summary>
    public int MaxInFlight => settings.MaxInHand;

    public async Task RunAsync(CancellationToken term)
    {
        var inFlight = new InFlightWebhooks(outbox, consumer, wakeup.Set, logger);
        var lanes = new DeliveryLanes(delivery.DeliverAsync, term, (webhook, error) => WebhookLog.LaneFailed(logger, error, webhook.CallId, webhook.Type, webhook.Id));
        var keeper = KeepAsync(inFlight, term);
        var failing = false;
        try
        {
            var woken = false;
            while (!term.IsCancellationRequested)
            {
                try
                {
                    await TakeWhileRoomAsync(inFlight, lanes, woken, term);
                    if (!woken)
                    {
                        metrics.WebhookBacklog(await outbox.BacklogAsync(OutboxTopic.Webhooks, term));
                    }

                    failing = false;
                }
                catch (StoreUnavailableException unavailable)
                {
                    if (!failing)
                    {
                        WebhookLog.OutboxFailing(logger, unavailable.Message);
                        failing = true;
                    }
                }

                woken = await wakeup.WaitAsync(settings.PollInterval, clock, term);
            }
        }
        catch (OperationCanceledException) when (term.IsCancellationRequested)
        {
            // The term ended.
        }
        finally
        {
            await lanes.StopAsync();
            await keeper;
            metrics.WebhookBacklog(null);
        }
    }

    /// <summary>Takes entries while the in-flight window has room: where this node appended when <paramref name="woken"/> by its own save, everywhere on a poll (the backlog is measured then too).</summary>
    private async Task TakeWhileRoomAsync(InFlightWebhooks inFlight, DeliveryLanes lanes, bool woken, CancellationToken term)
    {
        while (MaxInFlight - inFlight.Count is var room and > 0)
        {
            var wanted = Math.Min(room, TakeAtOnce);
            var entries = woken
                ? await outbox.TakeOwnAsync(OutboxTopic.Webhooks, consumer, wanted, settings.ClaimAfter, term)
                : await outbox.TakeAsync(OutboxTopic.Webhooks, consumer, wanted, settings.ClaimAfter, term);
            foreach (var entry in entries)
            {
                await StartAsync(entry, inFlight, lanes);
            }

            if (entries.Count < wanted)
            {
                return;
            }
        }
    }

    private async Task StartAsync(OutboxEntry entry, InFlightWebhooks inFlight, DeliveryLanes lanes)
    {
        if (!inFlight.TryBegin(entry.Id))
        {
            return; // in progress already: the outbox handed back an entry whose claim this node renews
        }

        WebhookEvent webhook;
        try
        {
            webhook = WebhookEvent.Parse(entry.Message.Payload, entry.Message.CallId);
        }
        catch (JsonException unreadable)
        {
            WebhookLog.Unreadable(logger, unreadable, entry.Message.CallId);
            await inFlight.ExpectAsync(entry.Id, 0);
            return;
        }

        if (entry.Deliveries > 1)
        {
            WebhookLog.Retaken(logger, webhook.CallId, webhook.Type, webhook.Id, entry.Deliveries);
        }

        var targets = endpoints.Where(endpoint => endpoint.Wants(webhook.Type)).ToList();
        await inFlight.ExpectAsync(entry.Id, targets.Count);
        foreach (var endpoint in targets)
        {
            lanes.Enqueue(endpoint, webhook, () => _ = inFlight.EndpointDoneAsync(entry.Id));
        }
    }

    private async Task KeepAsync(InFlightWebhooks inFlight, CancellationToken term)
    {
        using var ticker = new PeriodicTimer(settings.ClaimAfter / 3, clock);
        try
        {
            while (await ticker.WaitForNextTickAsync(term))
            {
                await inFlight.KeepAllAsync(term);
            }
        }
        catch (OperationCanceledException)
        {
            // The term ended.
        }
    }
}
