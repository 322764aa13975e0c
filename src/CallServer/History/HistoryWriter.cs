using System.Text.Json;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;
using CallServer.Domain.Records;
using CallServer.Observability.Logging;
using CallServer.Outbox;
using Microsoft.Extensions.Options;

namespace CallServer.History;

/// <summary>
/// Writes every ended call to the histories of its parties, from the outbox topic
/// <see cref="OutboxTopic.History"/>, on every node: at once for this node's own calls (its own
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
    TimeProvider clock,
    ILogger<HistoryWriter> logger) : OutboxWorker(outbox, signal, clock, node.Id, OutboxTopic.History)
{
    protected override OutboxWorkerSettings Settings => new(options.Value.PollInterval, options.Value.ClaimAfter, options.Value.MaxConcurrentWrites);

    protected override Task HandleAsync(OutboxEntry entry, CancellationToken stoppingToken) => WriteAsync(entry, stoppingToken);

    protected override void OutboxUnavailable(string error) => HistoryLog.OutboxFailing(logger, error);

    // Not acknowledged: taken again after the claim period.
    protected override void HandleFailed(OutboxEntry entry, Exception error) => HistoryLog.WriteFailed(logger, entry.Message.CallId, error.Message);

    private async Task WriteAsync(OutboxEntry entry, CancellationToken stoppingToken)
    {
        CallRecord record;
        Address callerAccount;
        try
        {
            var payload = OutboxJson.ReadHistory(entry.Message.Payload);
            record = payload.ToRecord();
            callerAccount = payload.CallerAccountAddress();
        }
        catch (JsonException unreadable)
        {
            HistoryLog.Unreadable(logger, unreadable, entry.Message.CallId);
            await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
            return;
        }

        if (entry.Deliveries > 1)
        {
            HistoryLog.Retaken(logger, record.CallId, entry.Deliveries);
        }

        var added = await history.RecordAsync(record, callerAccount, stoppingToken);
        await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
        await history.NotifyAddedAsync(record.CallId, added, stoppingToken);
    }
}
