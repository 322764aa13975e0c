namespace CallServer.Adapters.Outbox;

/// <summary>
/// Which shards' streams of each topic this node appended to since its worker last took from them: set by the
/// call store's saves, taken by <see cref="RedisOutbox.TakeOwnAsync"/>, so that a worker woken by its own save
/// reads one stream, not every shard's (on a Redis Cluster, one command per shard). One bit per shard.
/// </summary>
public sealed class OutboxAppends
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, StrongBoxOfMask> masks = new(StringComparer.Ordinal);

    /// <summary>This node appended to <paramref name="topic"/>'s stream of <paramref name="shard"/>.</summary>
    public void Mark(string topic, int shard)
    {
        var box = masks.GetOrAdd(topic, _ => new StrongBoxOfMask());
        Interlocked.Or(ref box.Mask, 1 << shard);
    }

    /// <summary>The shards marked for <paramref name="topic"/> since the last take (a bit each), now unmarked.</summary>
    public int Take(string topic) => masks.TryGetValue(topic, out var box) ? Interlocked.Exchange(ref box.Mask, 0) : 0;

    private sealed class StrongBoxOfMask
    {
        public int Mask;
    }
}
