using CallServer.Domain.Ports;
using CallServer.Records;

namespace CallServer.Webhooks;

/// <summary>
/// The outbox the webhook events are read from, with its claim period: in memory, the node's outbox; on
/// Redis, a reader of the same streams whose claim period is half the leader lease (shorter than the push
/// one, so that a new leader takes over the events of a dead one within seconds).
/// </summary>
public sealed record WebhookOutbox(IOutbox Outbox, TimeSpan ClaimAfter)
{
    public const string Topic = CallOutbox.WebhooksTopic;
}
