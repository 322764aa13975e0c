using System.Collections.Concurrent;
using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Domain.Ports;
using StackExchange.Redis;

namespace CallServer.Adapters.Outbox;

/// <summary>
/// The outbox in Redis: a stream per topic and shard (<c>{shard}:outbox:&lt;topic&gt;</c>; a call's messages go
/// to its shard's, in the save that decided them, so they keep their order per call), appended to by the call
/// store's save script, read by one consumer group (<see cref="Group"/>) whose consumers are the nodes. A take
/// reads every shard's stream of the topic: in one command on a single Redis, one per shard on a Cluster, sent
/// together. An entry is deleted when acknowledged, so a stream holds only work not done. An entry a node took
/// and did not acknowledge within the taker's claim period (the node died) is claimed by the next node that asks
/// (each node looks for such entries at most every half claim period). An entry's id names its shard
/// (<c>&lt;shard&gt;/&lt;stream id&gt;</c>).
/// </summary>
/// <param name="redis">The connection.</param>
/// <param name="keys">The key names.</param>
/// <param name="appends">Where this node's saves appended (<see cref="TakeOwnAsync"/> reads only those streams).</param>
/// <param name="clock">The clock of the claim sweeps.</param>
public sealed class RedisOutbox(RedisConnection redis, RedisKeys keys, OutboxAppends? appends = null, TimeProvider? clock = null) : IOutbox
{
    public const string Group = "workers";

    private static readonly int[] AllShards = [.. Enumerable.Range(0, RedisShards.Count)];

    private readonly TimeProvider time = clock ?? TimeProvider.System;
    private readonly HashSet<string> groupsMade = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> lastClaimSweep = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public Task<IReadOnlyList<OutboxEntry>> TakeAsync(string topic, string consumer, int max, TimeSpan claimAfter, CancellationToken cancellationToken = default) =>
        TakeFromAsync(topic, consumer, max, claimAfter, AllShards, sweepClaims: true);

    /// <summary>
    /// Reads only the streams this node appended to since its last take (<see cref="OutboxAppends"/>), one command
    /// on a single Redis (one per stream on a cluster); a stream that gave a full page (<paramref name="max"/>) may hold
    /// more and is read again at the next take. Nothing marked: nothing of this node's is left to read, so nothing is
    /// read (the poll, <see cref="TakeAsync"/>, finds other nodes' entries). Without <see cref="OutboxAppends"/>, as
    /// <see cref="TakeAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<OutboxEntry>> TakeOwnAsync(string topic, string consumer, int max, TimeSpan claimAfter, CancellationToken cancellationToken = default)
    {
        if (appends is null)
        {
            return await TakeAsync(topic, consumer, max, claimAfter, cancellationToken);
        }

        var marked = appends.Take(topic);
        if (marked == 0)
        {
            return [];
        }

        var shards = AllShards.Where(shard => (marked & (1 << shard)) != 0).ToArray();
        var taken = await TakeFromAsync(topic, consumer, max, claimAfter, shards, sweepClaims: false);
        foreach (var full in taken.GroupBy(entry => Parse(entry.Id).Shard).Where(shard => shard.Count() >= max))
        {
            appends.Mark(topic, full.Key);
        }

        return taken;
    }

    private Task<IReadOnlyList<OutboxEntry>> TakeFromAsync(string topic, string consumer, int max, TimeSpan claimAfter, int[] shards, bool sweepClaims) =>
        redis.Guard<IReadOnlyList<OutboxEntry>>(async () =>
        {
            var database = redis.Database;
            await EnsureGroupsAsync(database, topic);
            try
            {
                return await TakeFromGroupsAsync(database, topic, consumer, max, claimAfter, shards, sweepClaims);
            }
            catch (RedisServerException gone) when (gone.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // Redis lost its data (restarted empty, or a failover to a replica that had not seen the group): make the groups again.
                lock (gate)
                {
                    groupsMade.Remove(topic);
                }

                await EnsureGroupsAsync(database, topic);
                return await TakeFromGroupsAsync(database, topic, consumer, max, claimAfter, shards, sweepClaims);
            }
        });

    private async Task<IReadOnlyList<OutboxEntry>> TakeFromGroupsAsync(IDatabase database, string topic, string consumer, int max, TimeSpan claimAfter, int[] shards, bool sweepClaims)
    {
        var taken = new List<OutboxEntry>();
        if (sweepClaims && ClaimSweepDue(topic, claimAfter))
        {
            var claimed = await Task.WhenAll(AllShards.Select(async shard =>
                (Shard: shard, Result: await database.StreamAutoClaimAsync(keys.Outbox(topic, shard), Group, consumer, (long)claimAfter.TotalMilliseconds, "0-0", max))));
            taken.AddRange(claimed.SelectMany(c => c.Result.ClaimedEntries.Where(e => !e.IsNull).Select(e => Entry(topic, c.Shard, e, deliveries: 2))));
        }

        if (taken.Count >= max)
        {
            return taken;
        }

        var wanted = max - taken.Count;
        if (redis.IsCluster || shards.Length == 1)
        {
            var fresh = await Task.WhenAll(shards.Select(async shard =>
                (Shard: shard, Entries: await database.StreamReadGroupAsync(keys.Outbox(topic, shard), Group, consumer, StreamPosition.NewMessages, wanted))));
            taken.AddRange(fresh.SelectMany(f => f.Entries.Where(e => !e.IsNull).Select(e => Entry(topic, f.Shard, e, deliveries: 1))));
        }
        else
        {
            var streams = await database.StreamReadGroupAsync(
                [.. shards.Select(shard => new StreamPosition(keys.Outbox(topic, shard), StreamPosition.NewMessages))], Group, consumer, wanted);
            foreach (var stream in streams)
            {
                var shard = ShardOfStream(topic, stream.Key);
                taken.AddRange(stream.Entries.Where(e => !e.IsNull).Select(e => Entry(topic, shard, e, deliveries: 1)));
            }
        }

        return taken;
    }

    public Task KeepAsync(string topic, string consumer, string entryId, CancellationToken cancellationToken = default) =>
        redis.Guard(() =>
        {
            var (shard, id) = Parse(entryId);
            return redis.Database.StreamClaimIdsOnlyAsync(keys.Outbox(topic, shard), Group, consumer, 0, [id]);
        });

    // KEYS[1] the entry's stream; ARGV[1] the group, [2] the entry id. One command where a MULTI/EXEC took four.
    private const string AcknowledgeScript = """
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        """;

    public Task AcknowledgeAsync(string topic, string entryId, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var (shard, id) = Parse(entryId);
            await redis.Database.ScriptEvaluateAsync(AcknowledgeScript, [keys.Outbox(topic, shard)], [Group, id]);
        });

    // KEYS[1] the entry's stream, then one stream per message; ARGV[1] the group, [2] the entry id, then (call id,
    // payload) per message. Acknowledges and deletes the entry and appends the messages, in one step.
    private const string ForwardScript = """
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        for i = 2, #KEYS do
          redis.call('XADD', KEYS[i], '*', 'c', ARGV[1 + 2 * (i - 1)], 'p', ARGV[2 + 2 * (i - 1)])
        end
        return #KEYS - 1
        """;

    /// <summary>The messages go to their topics' streams of the entry's shard (one slot on a cluster), and this node's workers of those topics are told where (<see cref="OutboxAppends"/>).</summary>
    public Task ForwardAsync(string topic, string entryId, IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var (shard, id) = Parse(entryId);
            RedisKey[] streams = [keys.Outbox(topic, shard), .. messages.Select(message => keys.Outbox(message.Topic, shard))];
            RedisValue[] arguments = [Group, id, .. messages.SelectMany(message => new RedisValue[] { message.CallId, message.Payload })];
            foreach (var other in messages.Select(message => message.Topic).Distinct(StringComparer.Ordinal))
            {
                await EnsureGroupsAsync(redis.Database, other);
            }

            await redis.Database.ScriptEvaluateAsync(ForwardScript, streams, arguments);
            foreach (var other in messages.Select(message => message.Topic).Distinct(StringComparer.Ordinal))
            {
                appends?.Mark(other, shard);
            }
        });

    public Task<long> BacklogAsync(string topic, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var database = redis.Database;
            var lengths = await Task.WhenAll(AllShards.Select(shard => database.StreamLengthAsync(keys.Outbox(topic, shard))));
            return lengths.Sum();
        });

    /// <summary>Looks for entries other nodes left at most every half claim period (they cannot be claimed sooner than a claim period).</summary>
    private bool ClaimSweepDue(string topic, TimeSpan claimAfter)
    {
        var now = time.GetTimestamp();
        var last = lastClaimSweep.GetOrAdd(topic, long.MinValue);
        if (last != long.MinValue && time.GetElapsedTime(last, now) < claimAfter / 2)
        {
            return false;
        }

        return lastClaimSweep.TryUpdate(topic, now, last);
    }

    private int ShardOfStream(string topic, RedisKey stream)
    {
        foreach (var shard in AllShards)
        {
            if (keys.Outbox(topic, shard) == stream)
            {
                return shard;
            }
        }

        throw new InvalidOperationException("an outbox stream of no shard");
    }

    private static OutboxEntry Entry(string topic, int shard, StreamEntry entry, int deliveries) =>
        new(shard.ToString(CultureInfo.InvariantCulture) + "/" + entry.Id, new OutboxMessage(topic, entry["c"].ToString(), entry["p"].ToString()), deliveries);

    private static (int Shard, string Id) Parse(string entryId)
    {
        var slash = entryId.IndexOf('/', StringComparison.Ordinal);
        return (int.Parse(entryId.AsSpan(0, slash), CultureInfo.InvariantCulture), entryId[(slash + 1)..]);
    }

    /// <summary>The consumer groups of a topic's streams, made once per node and topic (from the start of each stream, so nothing appended before is missed).</summary>
    private async Task EnsureGroupsAsync(IDatabase database, string topic)
    {
        lock (gate)
        {
            if (groupsMade.Contains(topic))
            {
                return;
            }
        }

        await Task.WhenAll(AllShards.Select(async shard =>
        {
            try
            {
                await database.StreamCreateConsumerGroupAsync(keys.Outbox(topic, shard), Group, "0-0", createStream: true);
            }
            catch (RedisServerException exists) when (exists.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                // Another node made it.
            }
        }));

        lock (gate)
        {
            groupsMade.Add(topic);
        }
    }
}
