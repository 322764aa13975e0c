using System.Text.Json;
using CallServer.Application;
using CallServer.Cluster;
using CallServer.Domain.Ports;
using CallServer.Outbox;
using Microsoft.Extensions.Options;

namespace CallServer.Transfers;

/// <summary>
/// Applies the progress of every transfer's new call to the calls it replaces, from the outbox topic
/// <see cref="OutboxTopic.Transfers"/>, on every node: at once for this node's own changes, by polling for
/// those of a node that died. Each message is one <c>TransferProgressed</c> command on the replaced call
/// (applying it again changes nothing), acknowledged once decided; a call that is gone or refuses it is
/// logged and acknowledged; a store outage or a call changing too fast leaves it for another attempt after
/// the claim period.
/// </summary>
public sealed class TransferProgressWorker(
    IOutbox outbox,
    OutboxSignal signal,
    CallService calls,
    NodeIdentity node,
    IOptions<TransfersOptions> options,
    TimeProvider clock,
    ILogger<TransferProgressWorker> logger) : OutboxWorker(outbox, signal, clock, node.Id, OutboxTopic.Transfers)
{
    protected override OutboxWorkerSettings Settings => new(options.Value.PollInterval, options.Value.ClaimAfter, options.Value.MaxInFlight);

    protected override void OutboxUnavailable(string error) => TransferLog.OutboxFailing(logger, error);

    protected override void HandleFailed(OutboxEntry entry, Exception error) => TransferLog.ProgressFailed(logger, entry.Message.CallId, error.Message);

    protected override async Task HandleAsync(OutboxEntry entry, CancellationToken stoppingToken)
    {
        TransferProgressPayload progress;
        Domain.Commands.TransferProgressed command;
        try
        {
            progress = OutboxJson.ReadTransferProgress(entry.Message.Payload);
            command = progress.ToCommand();
        }
        catch (JsonException unreadable)
        {
            TransferLog.Unreadable(logger, unreadable, entry.Message.CallId);
            await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
            return;
        }

        try
        {
            await calls.ExecuteAsync(progress.CallId, command, stoppingToken);
            TransferLog.ProgressApplied(logger, progress.CallId, progress.NewCallId, progress.Progress);
        }
        catch (CallRefusedException refused) when (refused.Error.Code != Domain.Errors.ErrorCode.Unavailable)
        {
            TransferLog.ProgressNotApplied(logger, progress.CallId, progress.NewCallId, refused.Error.ToString());
        }

        await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
    }
}
