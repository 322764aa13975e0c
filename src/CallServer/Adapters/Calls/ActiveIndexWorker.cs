using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Outbox;
using Microsoft.Extensions.Options;

namespace CallServer.Adapters.Calls;

/// <summary>
/// On a Redis Cluster, puts a call in (or takes it out of) the active-call sets of its accounts whose shard is
/// not the call's, from the <see cref="CallSaveScript.IndexTopic"/> messages its saves appended. What is done
/// follows the call as stored when the message is worked, not the message: a call that is gone or ended leaves
/// the sets, any other joins them; so a message worked twice, or late, changes nothing wrong (a member put back
/// after the end is dropped by the next read of that set). At once on the saving node (its signal), by the poll
/// on the others (a node that died).
/// </summary>
public sealed class ActiveIndexWorker(
    IOutbox outbox,
    OutboxSignal signal,
    ActiveIndexUpdate update,
    NodeIdentity node,
    IOptions<RedisOptions> options,
    TimeProvider clock,
    ILogger<ActiveIndexWorker> logger) : OutboxWorker(outbox, signal, clock, node.Id, CallSaveScript.IndexTopic)
{
    protected override OutboxWorkerSettings Settings => new(options.Value.IndexPollInterval, options.Value.IndexClaimAfter, MaxInHand: 64);

    protected override void OutboxUnavailable(string error) => RedisLog.IndexOutboxFailing(logger, error);

    protected override void HandleFailed(OutboxEntry entry, Exception error) => RedisLog.IndexUpdateFailed(logger, entry.Message.CallId, error.Message);

    protected override async Task HandleAsync(OutboxEntry entry, CancellationToken stoppingToken)
    {
        await update.ApplyAsync(entry.Message);
        await Outbox.AcknowledgeAsync(Topic, entry.Id, stoppingToken);
    }
}
