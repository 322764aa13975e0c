using System.Text.Json;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
using CallServer.Outbox;

namespace CallServer.Webhooks;

/// <summary>
/// The leader's first stage during a term (issue 20): takes the events the saves appended to
/// <see cref="OutboxTopic.Webhooks"/>, in stream order, and hands each on to the queue of every receiver that wants
/// it (<see cref="WebhookEndpoint.Topic"/>) with <see cref="IOutbox.ForwardAsync"/>: one atomic step, so an event is
/// copied to every receiver once or not at all, and a receiver that is down only lengthens its own queue. An event
/// it could not hand on (the store failed) is tried again before any later one, so each receiver's queue keeps the
/// calls' order. Wakes the receivers' pumps of this node.
/// </summary>
public sealed class WebhookFanOut(
    IOutbox outbox,
    OutboxWorkerSettings settings,
    OutboxWakeup wakeup,
    IReadOnlyList<WebhookEndpoint> endpoints,
    Action<WebhookEndpoint> handedOn,
    string consumer,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger logger)
{
    /// <summary>Entries taken with one read of the outbox, at most.</summary>
    private const int TakeAtOnce = 64;

    /// <summary>Taken and not yet handed on, in stream order: these go first.</summary>
    private readonly Queue<OutboxEntry> waiting = new();
    private readonly HashSet<string> waitingIds = new(StringComparer.Ordinal);

    public async Task RunAsync(CancellationToken term)
    {
        var failing = false;
        var woken = false;
        var lastPoll = clock.GetTimestamp();
        try
        {
            while (!term.IsCancellationRequested)
            {
                try
                {
                    // Woken by the node's saves all the time, it still polls (other nodes' events, and those left to be claimed).
                    woken = woken && clock.GetElapsedTime(lastPoll) < settings.PollInterval;
                    if (!woken)
                    {
                        lastPoll = clock.GetTimestamp();
                    }

                    await HandOnAsync(woken, term);
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
            // The term ended; what was not handed on stays in the outbox for the next leader.
        }
        finally
        {
            metrics.WebhookBacklog(null);
        }
    }

    private async Task HandOnAsync(bool woken, CancellationToken term)
    {
        while (true)
        {
            while (waiting.TryPeek(out var entry))
            {
                await HandOnAsync(entry, term);
                waiting.Dequeue();
                waitingIds.Remove(entry.Id);
            }

            var entries = woken
                ? await outbox.TakeOwnAsync(OutboxTopic.Webhooks, consumer, TakeAtOnce, settings.ClaimAfter, term)
                : await outbox.TakeAsync(OutboxTopic.Webhooks, consumer, TakeAtOnce, settings.ClaimAfter, term);
            foreach (var entry in entries.Where(entry => waitingIds.Add(entry.Id)))
            {
                waiting.Enqueue(entry); // one waiting long enough to be claimed again is not queued twice
            }

            if (entries.Count < TakeAtOnce)
            {
                while (waiting.TryPeek(out var entry))
                {
                    await HandOnAsync(entry, term);
                    waiting.Dequeue();
                    waitingIds.Remove(entry.Id);
                }

                return;
            }
        }
    }

    private async Task HandOnAsync(OutboxEntry entry, CancellationToken term)
    {
        WebhookEvent webhook;
        try
        {
            webhook = WebhookEvent.Parse(entry.Message.Payload, entry.Message.CallId);
        }
        catch (JsonException unreadable)
        {
            WebhookLog.Unreadable(logger, unreadable, entry.Message.CallId);
            await outbox.AcknowledgeAsync(OutboxTopic.Webhooks, entry.Id, term);
            return;
        }

        var receivers = endpoints.Where(endpoint => endpoint.Wants(webhook.Type)).ToList();
        await outbox.ForwardAsync(
            OutboxTopic.Webhooks,
            entry.Id,
            [.. receivers.Select(endpoint => new OutboxMessage(endpoint.Topic, entry.Message.CallId, entry.Message.Payload))],
            term);
        foreach (var receiver in receivers)
        {
            handedOn(receiver);
        }
    }
}
