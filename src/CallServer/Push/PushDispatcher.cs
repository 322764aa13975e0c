using System.Text.Json;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
using CallServer.Outbox;
using CallServer.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Push;

/// <summary>
/// Sends the pushes that call changes decided, from the outbox: at once for this node's own (the
/// <see cref="OutboxSignal"/>), by polling for other nodes'. Each job is sent to every registration of its
/// account, concurrently and apart from any call's events, retried until the push expires, and
/// acknowledged only when done, so a node that dies mid-way leaves it to another (at least once).
/// </summary>
public sealed class PushDispatcher(
    IOutbox outbox,
    OutboxSignal signal,
    PushSender sender,
    NodeIdentity node,
    IOptions<PushOptions> options,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger<PushDispatcher> logger) : OutboxWorker(outbox, signal, clock, node.Id, OutboxTopic.Push)
{
    protected override OutboxWorkerSettings Settings => new(options.Value.PollInterval, options.Value.ClaimAfter, options.Value.MaxConcurrentPushes);

    protected override Task HandleAsync(OutboxEntry entry, CancellationToken stoppingToken) => SendAsync(entry, stoppingToken);

    protected override void OutboxUnavailable(string error) => PushDispatchLog.OutboxFailing(logger, error);

    // Not acknowledged: another attempt takes it after the claim period (a push past its time is then dropped).
    protected override void HandleFailed(OutboxEntry entry, Exception error) => PushDispatchLog.OutboxFailing(logger, error.Message);

    private async Task SendAsync(OutboxEntry entry, CancellationToken stoppingToken)
    {
        PushJob job;
        PushMessage message;
        try
        {
            job = OutboxJson.ReadPush(entry.Message.Payload);
            message = PushJobMessage.Of(job);
        }
        catch (JsonException unreadable)
        {
            PushDispatchLog.Unreadable(logger, unreadable, entry.Message.CallId);
            await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
            return;
        }

        if (entry.Deliveries > 1)
        {
            PushDispatchLog.Retaken(logger, job.CallId, job.Kind, entry.Deliveries);
        }

        // A push past its time (the ringing is over: a node took it and died long ago) is not sent: a phone
        // must not ring for a call that no longer rings. This also bounds a job that keeps failing.
        if (Clock.GetUtcNow() >= job.ExpiresAt)
        {
            PushDispatchLog.Expired(logger, job.CallId, job.Kind);
            metrics.PushSent("any", job.Kind, "expired");
            await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
            return;
        }

        // Keeps the entry ours while the push services take their time.
        using var keeping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var keeper = KeepAsync(entry, keeping.Token);
        try
        {
            await sender.SendToAccountAsync(job, message, stoppingToken);
        }
        finally
        {
            await keeping.CancelAsync();
            await keeper;
        }

        await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
    }

    private async Task KeepAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var every = options.Value.ClaimAfter / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, Clock, cancellationToken);
                try
                {
                    await Outbox.KeepAsync(Topic, Consumer, entry.Id, cancellationToken);
                }
                catch (StoreUnavailableException)
                {
                    // The store is away; if it stays away past the claim period, another node may send it too (at least once).
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }
}
