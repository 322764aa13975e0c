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
    ILogger<HistoryWriter> logger) : OutboxWorker(outbox, signal, node, CallOutbox.HistoryTopic)
{
    protected override TimeSpan PollInterval => options.Value.PollInterval;

    protected override int MaxConcurrent => options.Value.MaxConcurrentWrites;

    protected override Task HandleAsync(OutboxEntry entry, CancellationToken stoppingToken) => WriteAsync(entry, stoppingToken);

    protected override void OutboxUnavailable(string error) => HistoryLog.OutboxFailing(logger, error);

    // Not acknowledged: taken again after the claim period.
    protected override void HandleFailed(OutboxEntry entry, Exception error) => HistoryLog.WriteFailed(logger, entry.Message.CallId, error.Message);

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
            await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
            return;
        }

        if (entry.Deliveries > 1)
        {
            HistoryLog.Retaken(logger, message.Record.CallId, entry.Deliveries);
        }

        var added = await history.RecordAsync(message.Record, message.CallerAccount, stoppingToken);
        await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
        await history.NotifyAddedAsync(message.Record.CallId, added, stoppingToken);
    }
}
