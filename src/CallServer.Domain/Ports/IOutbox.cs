namespace CallServer.Domain.Ports;

/// <summary>
/// A message that must leave the server at least once because a call changed (a push, a webhook event, the
/// call record for the histories). It is written with the change (<see cref="CallChange.Outbox"/>) in the
/// same atomic step, so a saved decision never loses it, and taken by whichever node's worker asks first.
/// </summary>
public sealed record OutboxMessage(string Topic, string CallId, string Payload);

/// <summary>A message as taken: <see cref="Deliveries"/> counts the times it was handed out (2 and more: a worker stopped without acknowledging it).</summary>
public sealed record OutboxEntry(string Id, OutboxMessage Message, int Deliveries);

/// <summary>
/// The durable queue of <see cref="OutboxMessage"/>s per topic. Messages are appended by the call store's
/// save (<see cref="ICallStore.TrySaveAsync"/>); workers take them, and acknowledge each when done. An
/// entry taken and not acknowledged within its topic's claim period (its worker's node died) is handed out
/// again. Every operation throws <see cref="StoreUnavailableException"/> when the store cannot be reached.
/// </summary>
public interface IOutbox
{
    /// <summary>
    /// Up to <paramref name="max"/> entries of <paramref name="topic"/> for <paramref name="consumer"/>:
    /// entries taken and not acknowledged for <paramref name="claimAfter"/> or longer first, then new ones.
    /// Empty when there are none.
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> TakeAsync(string topic, string consumer, int max, TimeSpan claimAfter, CancellationToken cancellationToken = default);

    /// <summary>
    /// As <see cref="TakeAsync"/>, after this node's own save woke its worker: a store that keeps its entries in
    /// several places may look only where this node appended since its last take, and find nothing when that was
    /// all taken (a poll, <see cref="TakeAsync"/>, finds the rest, other nodes' entries and those left to be claimed).
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> TakeOwnAsync(string topic, string consumer, int max, TimeSpan claimAfter, CancellationToken cancellationToken = default) =>
        TakeAsync(topic, consumer, max, claimAfter, cancellationToken);

    /// <summary>Still working on an entry (a slow push service): its claim period starts again, so no other worker takes it.</summary>
    Task KeepAsync(string topic, string consumer, string entryId, CancellationToken cancellationToken = default);

    /// <summary>Done with an entry: it is never handed out again.</summary>
    Task AcknowledgeAsync(string topic, string entryId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands an entry's work on to other topics in one atomic step: <paramref name="entryId"/> of <paramref name="topic"/>
    /// is acknowledged and <paramref name="messages"/> appended (each to its own topic, in order, beside the entry: on a
    /// store of several places, where the entry was), or neither happens. So a stage that splits work (one event, one
    /// copy per webhook receiver) never loses it nor makes it twice.
    /// </summary>
    Task ForwardAsync(string topic, string entryId, IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Entries of <paramref name="topic"/> not yet acknowledged (taken or not).</summary>
    Task<long> BacklogAsync(string topic, CancellationToken cancellationToken = default);
}
