using System.Text.Json;
using CallServer.Adapters.Outbox;
using CallServer.Application;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
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
    IOptions<PushDispatchOptions> options,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger<PushDispatcher> logger) : BackgroundService
{
    private readonly OutboxWakeup wake = signal.Listen(PushJob.Topic);

    private bool failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.Value.MaxConcurrentPushes);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(options.Value.PollInterval, stoppingToken);
                await slots.WaitAsync(stoppingToken);
                slots.Release();
                var entries = await outbox.TakeAsync(PushJob.Topic, node.Id, Math.Max(1, slots.CurrentCount), stoppingToken);
                if (failing)
                {
                    failing = false;
                }

                foreach (var entry in entries)
                {
                    await slots.WaitAsync(stoppingToken);
                    _ = SendAndReleaseAsync(entry, slots, stoppingToken);
                }

                if (entries.Count > 0)
                {
                    wake.Set(); // there may be more: look again without waiting for the poll
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (CallRefusedException refused) when (refused.Error.Code == ErrorCode.Unavailable)
            {
                if (!failing)
                {
                    PushDispatchLog.OutboxFailing(logger, refused.Error.ToString());
                    failing = true;
                }
            }
        }
    }

    private async Task SendAndReleaseAsync(OutboxEntry entry, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await SendAsync(entry, stoppingToken);
        }
        catch (Exception unexpected) when (unexpected is not OperationCanceledException)
        {
            // Not acknowledged: another attempt takes it after the claim period.
            PushDispatchLog.OutboxFailing(logger, unexpected.Message);
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task SendAsync(OutboxEntry entry, CancellationToken stoppingToken)
    {
        PushJob job;
        try
        {
            job = PushJob.Parse(entry.Message.Payload);
            _ = job.ToMessage();
        }
        catch (JsonException unreadable)
        {
            PushDispatchLog.Unreadable(logger, unreadable, entry.Message.CallId);
            await outbox.AcknowledgeAsync(PushJob.Topic, entry.Id, stoppingToken);
            return;
        }

        if (entry.Deliveries > 1)
        {
            PushDispatchLog.Retaken(logger, job.CallId, job.Kind, entry.Deliveries);
        }

        // A push past its time (the ringing is over: a node took it and died long ago) is not sent: a phone
        // must not ring for a call that no longer rings. This also bounds a job that keeps failing.
        if (clock.GetUtcNow() >= job.ExpiresAt)
        {
            PushDispatchLog.Expired(logger, job.CallId, job.Kind);
            metrics.PushSent("any", job.Kind, "expired");
            await outbox.AcknowledgeAsync(PushJob.Topic, entry.Id, stoppingToken);
            return;
        }

        // Keeps the entry ours while the push services take their time.
        using var keeping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var keeper = KeepAsync(entry, keeping.Token);
        try
        {
            await sender.SendToAccountAsync(job, stoppingToken);
        }
        finally
        {
            await keeping.CancelAsync();
            await keeper;
        }

        await outbox.AcknowledgeAsync(PushJob.Topic, entry.Id, stoppingToken);
    }

    private async Task KeepAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var every = options.Value.ClaimAfter / 3;
        try
        {
            while (true)
            {
                await Task.Delay(every, cancellationToken);
                try
                {
                    await outbox.KeepAsync(PushJob.Topic, node.Id, entry.Id, cancellationToken);
                }
                catch (CallRefusedException)
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
