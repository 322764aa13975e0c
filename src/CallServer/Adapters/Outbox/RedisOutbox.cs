using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Domain.Ports;
using StackExchange.Redis;

namespace CallServer.Adapters.Outbox;

/// <summary>
/// The outbox in Redis: a stream per topic (<c>outbox:&lt;topic&gt;</c>), appended to by the call store's
/// save script, read by one consumer group (<see cref="Group"/>) whose consumers are the nodes. An entry is
/// deleted when acknowledged, so the stream holds only work not done. An entry a node took and did not
/// acknowledge within the taker's claim period (the node died) is claimed by the next node that asks.
/// </summary>
public sealed class RedisOutbox(RedisConnection redis, RedisKeys keys) : IOutbox
{
    public const string Group = "workers";

    private readonly HashSet<string> groupsMade = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public Task<IReadOnlyList<OutboxEntry>> TakeAsync(string topic, string consumer, int max, TimeSpan claimAfter, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<OutboxEntry>>(async () =>
        {
            var database = redis.Database;
            var stream = keys.Outbox(topic);
            await EnsureGroupAsync(database, topic, stream);
            try
            {
                return await TakeFromGroupAsync(database, topic, stream, consumer, max, claimAfter);
            }
            catch (RedisServerException gone) when (gone.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Redis lost its data (restarted empty): make the group again.
                lock (gate)
                {
                    groupsMade.Remove(topic);
                }

                await EnsureGroupAsync(database, topic, stream);
                return await TakeFromGroupAsync(database, topic, stream, consumer, max, claimAfter);
            }
        });

    private async Task<IReadOnlyList<OutboxEntry>> TakeFromGroupAsync(IDatabase database, string topic, RedisKey stream, string consumer, int max, TimeSpan claimAfter)
    {
        var taken = new List<OutboxEntry>();
        var claimed = await database.StreamAutoClaimAsync(stream, Group, consumer, (long)claimAfter.TotalMilliseconds, "0-0", max);
        taken.AddRange(claimed.ClaimedEntries.Where(e => !e.IsNull).Select(e => Entry(topic, e, deliveries: 2)));
        if (taken.Count < max)
        {
            var fresh = await database.StreamReadGroupAsync(stream, Group, consumer, StreamPosition.NewMessages, max - taken.Count);
            taken.AddRange(fresh.Where(e => !e.IsNull).Select(e => Entry(topic, e, deliveries: 1)));
        }

        return taken;
    }

    public Task KeepAsync(string topic, string consumer, string entryId, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.StreamClaimIdsOnlyAsync(keys.Outbox(topic), Group, consumer, 0, [entryId]));

    public Task AcknowledgeAsync(string topic, string entryId, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var database = redis.Database;
            var stream = keys.Outbox(topic);
            var transaction = database.CreateTransaction();
            _ = transaction.StreamAcknowledgeAsync(stream, Group, entryId);
            _ = transaction.StreamDeleteAsync(stream, [entryId]);
            await transaction.ExecuteAsync();
        });

    public Task<long> BacklogAsync(string topic, CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.StreamLengthAsync(keys.Outbox(topic)));

    private static OutboxEntry Entry(string topic, StreamEntry entry, int deliveries) =>
        new(entry.Id.ToString(), new OutboxMessage(topic, entry["c"].ToString(), entry["p"].ToString()), deliveries);

    /// <summary>The consumer group, made once per node and topic (from the start of the stream, so nothing appended before is missed).</summary>
    private async Task EnsureGroupAsync(IDatabase database, string topic, RedisKey stream)
    {
        lock (gate)
        {
            if (groupsMade.Contains(topic))
            {
                return;
            }
        }

        try
        {
            await database.StreamCreateConsumerGroupAsync(stream, Group, "0-0", createStream: true);
        }
        catch (RedisServerException exists) when (exists.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Another node made it.
        }

        lock (gate)
        {
            groupsMade.Add(topic);
        }
    }
}
