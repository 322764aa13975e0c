using System.Text.Json;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
using CallServer.Outbox;

namespace CallServer.Webhooks;

/// <summary>
/// The leader's work for one receiver during one term (issue 20: each receiver has its own queue, window and
/// retries, so one that is down, slow or failing holds back only itself): takes the receiver's entries from its
/// queue in the outbox (<see cref="WebhookEndpoint.Topic"/>, filled by <see cref="WebhookFanOut"/>) in stream order
/// (those a previous leader left unacknowledged first), hands each event to the receiver's lane of its call, keeps
/// the claim on the entries in progress every third of the claim period, and acknowledges an entry once it is
/// delivered or dropped. At most <see cref="MaxInFlight"/> entries are in progress. Every keeper tick it reports the
/// receiver's oldest undelivered event and warns, once, when the receiver has failed for longer than
/// <see cref="Settings.FailingWarningAfter"/>. Returns when the term's token is cancelled, its lanes stopped (what
/// they had not finished stays in the outbox for the next leader).
/// </summary>
public sealed class WebhookPump(
    IOutbox outbox,
    WebhookPump.Settings settings,
    OutboxWakeup wakeup,
    WebhookEndpoint endpoint,
    WebhookDelivery delivery,
    string consumer,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger logger)
{
    /// <summary>Entries taken with one read of the outbox, at most.</summary>
    private const int TakeAtOnce = 64;

    private readonly WebhookEndpointHealth health = new(clock);

    /// <summary>Entries in progress at most (<see cref="OutboxWorkerSettings.MaxInHand"/>).</summary>
    public int MaxInFlight => settings.Outbox.MaxInHand;

    public async Task RunAsync(CancellationToken term)
    {
        var inFlight = new InFlightWebhooks(outbox, endpoint.Topic, consumer, wakeup.Set, logger);
        var lanes = new DeliveryLanes(
            (target, webhook, cancellationToken) => delivery.DeliverAsync(target, webhook, cancellationToken, health),
            term,
            (webhook, error) => WebhookLog.LaneFailed(logger, error, webhook.CallId, webhook.Type, webhook.Id));
        var keeper = KeepAsync(inFlight, term);
        var failing = false;
        try
        {
            var woken = false;
            var lastPoll = clock.GetTimestamp();
            while (!term.IsCancellationRequested)
            {
                try
                {
                    // Woken by the fan-out all the time, it still polls (entries a previous leader left to be claimed).
                    woken = woken && clock.GetElapsedTime(lastPoll) < settings.Outbox.PollInterval;
                    if (!woken)
                    {
                        lastPoll = clock.GetTimestamp();
                    }

                    await TakeWhileRoomAsync(inFlight, lanes, woken, term);
                    if (!woken)
                    {
                        metrics.WebhookEndpointBacklog(endpoint.Key, await outbox.BacklogAsync(endpoint.Topic, term));
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

                woken = await wakeup.WaitAsync(settings.Outbox.PollInterval, clock, term);
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
            metrics.WebhookEndpointBacklog(endpoint.Key, null);
            metrics.WebhookEndpointOldest(endpoint.Key, null);
        }
    }

    /// <summary>Takes entries while the in-flight window has room: where this node appended when <paramref name="woken"/>, everywhere on a poll (the backlog is measured then too).</summary>
    private async Task TakeWhileRoomAsync(InFlightWebhooks inFlight, DeliveryLanes lanes, bool woken, CancellationToken term)
    {
        while (MaxInFlight - inFlight.Count is var room and > 0)
        {
            var wanted = Math.Min(room, TakeAtOnce);
            var entries = woken
                ? await outbox.TakeOwnAsync(endpoint.Topic, consumer, wanted, settings.Outbox.ClaimAfter, term)
                : await outbox.TakeAsync(endpoint.Topic, consumer, wanted, settings.Outbox.ClaimAfter, term);
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

        // The fan-out copied only what the receiver wants; an entry of a type it no longer wants (its settings changed) is done.
        var wanted = endpoint.Wants(webhook.Type) ? 1 : 0;
        await inFlight.ExpectAsync(entry.Id, wanted, webhook.Timestamp);
        if (wanted == 1)
        {
            lanes.Enqueue(endpoint, webhook, () => _ = inFlight.EndpointDoneAsync(entry.Id));
        }
    }

    private async Task KeepAsync(InFlightWebhooks inFlight, CancellationToken term)
    {
        using var ticker = new PeriodicTimer(settings.Outbox.ClaimAfter / 3, clock);
        try
        {
            while (await ticker.WaitForNextTickAsync(term))
            {
                await inFlight.KeepAllAsync(term);
                Report(inFlight);
            }
        }
        catch (OperationCanceledException)
        {
            // The term ended.
        }
    }

    private void Report(InFlightWebhooks inFlight)
    {
        var oldest = inFlight.OldestEventAt();
        metrics.WebhookEndpointOldest(endpoint.Key, oldest is { } at ? clock.GetUtcNow() - at : TimeSpan.Zero);
        switch (health.Check(settings.FailingWarningAfter))
        {
            case { Failing: true } failing:
                WebhookLog.EndpointFailing(logger, endpoint.Name, (long)failing.For.TotalSeconds, inFlight.Count, failing.LastFailure);
                break;
            case { Failing: false }:
                WebhookLog.EndpointRecovered(logger, endpoint.Name);
                break;
        }
    }

    /// <summary>The outbox settings of a receiver's queue (poll, claim period, window), and when its failing is worth a warning.</summary>
    public sealed record Settings(OutboxWorkerSettings Outbox, TimeSpan FailingWarningAfter);
}
