using System.Text.Json;
using CallServer.Adapters.Outbox;
using CallServer.Application;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Records;
using Microsoft.Extensions.Options;

namespace CallServer.History;

/// <summary>
/// Writes every ended call to the histories of its parties, from the outbox topic
/// <see cref="CallOutbox.HistoryTopic"/>, on every node: at once for this node's own calls (its own
/// <see cref="OutboxSignal.Listen"/>er), by polling for calls whose node died before writing them. Each
/// record is acknowledged once its entries are stored, then the parties' devices are told
/// (<c>CallHistoryChanged</c>, best effort). A record the store could not take stays unacknowledged and is
/// taken again after the outbox's claim period (at least once; adding is idempotent); an unreadable one is
/// logged and acknowledged.
/// </summary>
public sealed class HistoryWriter(
    IOutbox outbox,
    OutboxSignal signal,
    CallHistoryService history,
    NodeIdentity node,
    IOptions<HistoryOptions> options,
    ILogger<HistoryWriter> logger) : BackgroundService
{
    private const string Topic = CallOutbox.HistoryTopic;

    private readonly OutboxWakeup wake = signal.Listen(Topic);
    private bool failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.Value.MaxConcurrentWrites);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(options.Value.PollInterval, stoppingToken);
                await slots.WaitAsync(stoppingToken);
                slots.Release();
                var entries = await outbox.TakeAsync(Topic, node.Id, Math.Max(1, slots.CurrentCount), stoppingToken);
                failing = false;
                foreach (var entry in entries)
                {
                    await slots.WaitAsync(stoppingToken);
                    _ = WriteAndReleaseAsync(entry, slots, stoppingToken);
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
                    HistoryLog.OutboxFailing(logger, refused.Error.ToString());
                    failing = true;
                }
            }
        }
    }

    private async Task WriteAndReleaseAsync(OutboxEntry entry, SemaphoreSlim slots, CancellationToken stoppingToken)
    {
        try
        {
            await WriteAsync(entry, stoppingToken);
        }
        catch (Exception unexpected) when (unexpected is not OperationCanceledException)
        {
            // Not acknowledged: taken again after the claim period.
            HistoryLog.WriteFailed(logger, entry.Message.CallId, unexpected.Message);
        }
        catch (OperationCanceledException)
        {
            // The node is stopping; another node takes the record after the claim period.
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task WriteAsync(OutboxEntry entry, CancellationToken stoppingToken)
    {
        HistoryMessage message;
        try
        {
            message = HistoryMessage.Parse(entry.Message.Payload);
        }
        catch (JsonException unreadable)
        {
            HistoryLog.Unreadable(logger, unreadable, entry.Message.CallId);
            await outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
            return;
        }

        if (entry.Deliveries > 1)
        {
            HistoryLog.Retaken(logger, message.Record.CallId, entry.Deliveries);
        }

        var added = await history.RecordAsync(message.Record, message.CallerAccount, stoppingToken);
        await outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
        await history.NotifyAddedAsync(message.Record.CallId, added, stoppingToken);
    }
}
