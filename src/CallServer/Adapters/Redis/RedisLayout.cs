using System.Globalization;
using CallServer.Cluster;
using CallServer.Observability.Logging;
using StackExchange.Redis;

namespace CallServer.Adapters.Redis;

/// <summary>
/// Which key layout the data in Redis is in (<see cref="RedisKeys.Layout"/>), and the move to this node's
/// (<see cref="Current"/>). Layout 1 had no shards: a call, its timers, the outbox streams and every account's
/// sets in slots of their own, which a Redis Cluster refuses in one script. Layout 2 puts them in shards
/// (<see cref="RedisShards"/>). The first node of the new version that finds no layout key moves what layout 1
/// left (calls in progress and ended ones kept for their retention, their timers, the outbox entries not yet
/// acknowledged, the account indexes, the call histories), holding a lock so that one node does it; the others
/// wait, unready, until it is done. The move is not for a mixed cluster: nodes of the version before must be
/// stopped first (docs/operations.md, "Upgrading").
/// </summary>
public sealed class RedisLayout(RedisConnection redis, RedisKeys keys, NodeIdentity node, ILogger<RedisLayout> logger)
{
    public const int Current = 2;

    private static readonly TimeSpan LockLease = TimeSpan.FromMinutes(2);

    /// <summary>Keys moved between two renewals of the lock's lease (each move is a few round trips).</summary>
    private const int MovesPerLeaseRenewal = 100;

    // KEYS[1] the lock; ARGV[1] this node, [2] the lease (ms). 1 renewed, 0 the lock is not this node's (any more).
    private const string RenewLockScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    // KEYS[1] the lock; ARGV[1] this node. Deletes the lock only while it is this node's.
    private const string ReleaseLockScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private int movesSinceRenewal;

    private volatile bool current;

    /// <summary>The data is in <see cref="Current"/> (checked, or moved, by this node).</summary>
    public bool IsCurrent => current;

    /// <summary>
    /// Checks the layout, and moves the data when it is layout 1 and no other node is doing it. True once the
    /// data is in <see cref="Current"/>; false while another node moves it. Throws
    /// <see cref="Domain.Ports.StoreUnavailableException"/> while Redis cannot be reached, and
    /// <see cref="InvalidOperationException"/> for a layout newer than this node's.
    /// </summary>
    public async Task<bool> EnsureAsync()
    {
        if (current)
        {
            return true;
        }

        var database = await redis.Guard(() => Task.FromResult(redis.Database));
        var found = await redis.Guard(() => database.StringGetAsync(keys.Layout));
        if (found.HasValue)
        {
            var layout = int.Parse(found.ToString(), CultureInfo.InvariantCulture);
            if (layout > Current)
            {
                RedisLog.LayoutNewer(logger, layout, Current);
                throw new InvalidOperationException($"the Redis data is in key layout {layout}, newer than this node's {Current}");
            }

            if (layout == Current)
            {
                current = true;
                return true;
            }
        }

        if (!await redis.Guard(() => database.StringSetAsync(keys.LayoutMigrationLock, node.Id, LockLease, When.NotExists)))
        {
            RedisLog.LayoutMigrationWaiting(logger, Current);
            return false;
        }

        try
        {
            var moved = await MoveFromLayout1Async(database);
            await redis.Guard(() => database.StringSetAsync(keys.Layout, Current.ToString(CultureInfo.InvariantCulture)));
            RedisLog.LayoutMigrated(logger, 1, Current, moved.Calls, moved.Timers, moved.OutboxEntries, moved.AccountKeys);
            current = true;
            return true;
        }
        finally
        {
            await redis.Guard(() => database.ScriptEvaluateAsync(ReleaseLockScript, [keys.LayoutMigrationLock], [node.Id]));
        }
    }

    private async Task<Moved> MoveFromLayout1Async(IDatabase database)
    {
        var prefix = keys.Prefix;
        var moved = new Moved();
        foreach (var key in await ScanAsync(prefix + "call:*"))
        {
            var rest = key[(prefix.Length + "call:".Length)..];
            if (rest.EndsWith(":timers", StringComparison.Ordinal))
            {
                await MoveKeyAsync(database, key, keys.TimersOf(rest[..^":timers".Length]));
            }
            else
            {
                await MoveKeyAsync(database, key, keys.Call(rest));
                moved.Calls++;
            }
        }

        foreach (var key in await ScanAsync(prefix + "account:*"))
        {
            var rest = key[(prefix.Length + "account:".Length)..];
            var colon = rest.LastIndexOf(':');
            if (colon < 0)
            {
                continue;
            }

            var (account, kind) = (rest[..colon], rest[(colon + 1)..]);
            RedisKey? target = kind switch
            {
                "active" or "calls" => (RedisKey?)keys.ActiveCallsOf(account),
                "placed" => keys.CallsPlacedBy(account),
                _ => null,
            };
            if (target is { } to)
            {
                var members = await redis.Guard(() => database.SetMembersAsync(key));
                if (members.Length > 0)
                {
                    await redis.Guard(() => database.SetAddAsync(to, members));
                }

                await redis.Guard(() => database.KeyDeleteAsync(key));
                moved.AccountKeys++;
            }
        }

        foreach (var (from, to) in new[] { ("timers", (Func<int, RedisKey>)keys.Timers), ("timers:claimed", keys.ClaimedTimers) })
        {
            var old = (RedisKey)(prefix + from);
            var timers = await redis.Guard(() => database.SortedSetRangeByRankWithScoresAsync(old));
            foreach (var group in timers.GroupBy(timer => RedisShards.Of(CallIdOfTimer(timer.Element!))))
            {
                await redis.Guard(() => database.SortedSetAddAsync(to(group.Key), [.. group]));
            }

            await redis.Guard(() => database.KeyDeleteAsync(old));
            moved.Timers += timers.Length;
        }

        foreach (var key in await ScanAsync(prefix + "outbox:*"))
        {
            var topic = key[(prefix.Length + "outbox:".Length)..];
            var entries = await redis.Guard(() => database.StreamRangeAsync(key));
            foreach (var entry in entries)
            {
                // Each entry leaves the old stream once copied: a move that stops half-way and is done again
                // copies at most the one entry it was at twice (the outbox is at least once anyway).
                var callId = entry["c"].ToString();
                await redis.Guard(() => database.StreamAddAsync(keys.Outbox(topic, RedisShards.Of(callId)), [new NameValueEntry("c", callId), new NameValueEntry("p", entry["p"])]));
                await redis.Guard(() => database.StreamDeleteAsync(key, [entry.Id]));
                await KeepLockAsync(database);
            }

            await redis.Guard(() => database.KeyDeleteAsync(key));
            moved.OutboxEntries += entries.Length;
        }

        foreach (var key in await ScanAsync(prefix + "history:*"))
        {
            var rest = key[(prefix.Length + "history:".Length)..];
            if (rest.EndsWith(":index", StringComparison.Ordinal))
            {
                await MoveKeyAsync(database, key, keys.CallHistoryIndex(rest[..^":index".Length]));
            }
            else if (rest.EndsWith(":entries", StringComparison.Ordinal))
            {
                await MoveKeyAsync(database, key, keys.CallHistoryEntries(rest[..^":entries".Length]));
            }
        }

        return moved;
    }

    /// <summary>The keys matching <paramref name="pattern"/> on every primary (a literal prefix, then a glob).</summary>
    private async Task<List<string>> ScanAsync(string pattern)
    {
        var glob = EscapeGlob(pattern[..^1]) + "*";
        var found = new List<string>();
        foreach (var server in redis.Primaries())
        {
            await foreach (var key in server.KeysAsync(pattern: glob, pageSize: 1000))
            {
                var name = key.ToString();
                if (!name.StartsWith(keys.Prefix + "{", StringComparison.Ordinal))
                {
                    found.Add(name);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Moves a key with its expiry, in any topology (a dump and restore: the two keys may be in different slots).
    /// While the old key exists it is the truth: a target left by a move that stopped before deleting the old key
    /// is replaced, so a move done again finishes instead of failing on the existing key.
    /// </summary>
    private async Task MoveKeyAsync(IDatabase database, RedisKey from, RedisKey to)
    {
        var dump = await redis.Guard(() => database.KeyDumpAsync(from));
        if (dump is null)
        {
            return;
        }

        var ttl = await redis.Guard(() => database.KeyTimeToLiveAsync(from));
        await redis.Guard(() => database.KeyDeleteAsync(to));
        await redis.Guard(() => database.KeyRestoreAsync(to, dump, ttl));
        await redis.Guard(() => database.KeyDeleteAsync(from));
        await KeepLockAsync(database);
    }

    /// <summary>
    /// Renews the lock's lease every <see cref="MovesPerLeaseRenewal"/> moves, so a long move keeps it; throws
    /// <see cref="Domain.Ports.StoreUnavailableException"/> when the lock is no longer this node's (its lease ran out
    /// and another node took it over): this node stops and waits, as any node does while another moves the data.
    /// </summary>
    private async Task KeepLockAsync(IDatabase database)
    {
        if (++movesSinceRenewal < MovesPerLeaseRenewal)
        {
            return;
        }

        movesSinceRenewal = 0;
        var renewed = (int)await redis.Guard(() => database.ScriptEvaluateAsync(RenewLockScript, [keys.LayoutMigrationLock], [node.Id, (long)LockLease.TotalMilliseconds]));
        if (renewed != 1)
        {
            throw new Domain.Ports.StoreUnavailableException("another node took over moving the Redis data to this version's key layout");
        }
    }

    private static string CallIdOfTimer(string member) => member.Split('|', 2)[0];

    private static string EscapeGlob(string literal) =>
        string.Concat(literal.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));

    private sealed class Moved
    {
        public int Calls { get; set; }

        public int Timers { get; set; }

        public int OutboxEntries { get; set; }

        public int AccountKeys { get; set; }
    }
}
