using System.Collections.Concurrent;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;

namespace CallServer.Webhooks;

/// <summary>
/// The outbox entries of one topic (a receiver's queue) the leader took and has not acknowledged: each waits for
/// every endpoint that wants its event (delivered or dropped), then is acknowledged. <see cref="KeepAllAsync"/> renews the claim of
/// those still in progress and retries the acknowledgements the outbox refused, so no other reader takes
/// an entry the leader is working on.
/// </summary>
public sealed class InFlightWebhooks(IOutbox outbox, string topic, string consumer, Action acknowledged, ILogger logger)
{
    private readonly ConcurrentDictionary<string, InFlight> entries = new(StringComparer.Ordinal);
    private int failing;

    public int Count => entries.Count;

    /// <summary>Starts tracking <paramref name="entryId"/>, unless it already is (the outbox handed back an entry in progress).</summary>
    public bool TryBegin(string entryId) => entries.TryAdd(entryId, new InFlight());

    /// <summary>
    /// The entry waits for <paramref name="endpoints"/> endpoints (none: acknowledged now). Called once, before any of
    /// them can finish; <paramref name="eventAt"/> is its event's time (for <see cref="OldestEventAt"/>).
    /// </summary>
    public Task ExpectAsync(string entryId, int endpoints, DateTimeOffset? eventAt = null)
    {
        var entry = entries[entryId];
        entry.EventAt = eventAt;
        Volatile.Write(ref entry.Remaining, endpoints);
        return endpoints == 0 ? AcknowledgeAsync(entryId) : Task.CompletedTask;
    }

    /// <summary>One endpoint is done with the entry; the last one acknowledges it.</summary>
    public Task EndpointDoneAsync(string entryId) =>
        entries.TryGetValue(entryId, out var entry) && Interlocked.Decrement(ref entry.Remaining) == 0
            ? AcknowledgeAsync(entryId)
            : Task.CompletedTask; // not tracked (acknowledged already): nothing to do

    /// <summary>The time of the oldest event in progress (not delivered or dropped yet); null when none is.</summary>
    public DateTimeOffset? OldestEventAt()
    {
        DateTimeOffset? oldest = null;
        foreach (var entry in entries.Values)
        {
            if (entry.EventAt is { } at && (oldest is null || at < oldest))
            {
                oldest = at;
            }
        }

        return oldest;
    }

    /// <summary>Renews the claim of every entry in progress; acknowledges those done whose acknowledgement failed.</summary>
    public async Task KeepAllAsync(CancellationToken cancellationToken)
    {
        foreach (var (id, entry) in entries)
        {
            if (Volatile.Read(ref entry.Remaining) == 0)
            {
                await AcknowledgeAsync(id);
                continue;
            }

            try
            {
                await outbox.KeepAsync(topic, consumer, id, cancellationToken);
                Recovered();
            }
            catch (StoreUnavailableException unavailable)
            {
                Failing(unavailable.Message);
            }
        }
    }

    private async Task AcknowledgeAsync(string entryId)
    {
        try
        {
            await outbox.AcknowledgeAsync(topic, entryId, CancellationToken.None);
            entries.TryRemove(entryId, out _);
            Recovered();
            acknowledged();
        }
        catch (StoreUnavailableException unavailable)
        {
            // Left in place: the keeper tries again.
            Failing(unavailable.Message);
        }
    }

    private void Failing(string error)
    {
        if (Interlocked.Exchange(ref failing, 1) == 0)
        {
            WebhookLog.OutboxFailing(logger, error);
        }
    }

    private void Recovered() => Volatile.Write(ref failing, 0);

    private sealed class InFlight
    {
        /// <summary>Endpoints still to finish; -1 until they are known (so that the keeper does not take it for done).</summary>
        public int Remaining = -1;

        public DateTimeOffset? EventAt;
    }
}
