using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Domain.Addresses;
using CallServer.Domain.Records;
using CallServer.History;
using CallServer.Ports;
using StackExchange.Redis;

namespace CallServer.Adapters.CallHistory;

/// <summary>
/// Call histories in Redis, two keys per account: a sorted set of call ids scored by the end of the call in
/// Unix milliseconds (<see cref="RedisKeys.CallHistoryIndex"/>), and a hash of call id → stored entry
/// (<see cref="RedisKeys.CallHistoryEntries"/>). Every add trims both to the bounds in the same script, and sets
/// them to expire when their newest entry becomes too old, so an account that stops calling leaves nothing behind.
/// </summary>
public sealed class RedisCallHistoryStore(RedisConnection redis, RedisKeys keys) : ICallHistoryStore
{
    // KEYS[1] the index, [2] the entries; ARGV[1] the call id, [2] its score, [3] the stored entry, [4] the most
    // entries, [5] the least score kept. 1 added, 0 already there, 2 dropped (too old, or beyond the count).
    private const string AddScript = """
        local function forget(ids)
          for i = 1, #ids, 500 do
            redis.call('HDEL', KEYS[2], unpack(ids, i, math.min(i + 499, #ids)))
          end
        end
        local oldest = tonumber(ARGV[5])
        local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5])
        if #stale > 0 then
          redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5])
          forget(stale)
        end
        if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
        if tonumber(ARGV[2]) < oldest then return 2 end
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
        local result = 1
        local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
        if excess > 0 then
          local gone = redis.call('ZRANGE', KEYS[1], 0, excess - 1)
          redis.call('ZREMRANGEBYRANK', KEYS[1], 0, excess - 1)
          forget(gone)
          for _, id in ipairs(gone) do
            if id == ARGV[1] then result = 2 end
          end
        end
        local newest = redis.call('ZREVRANGE', KEYS[1], 0, 0, 'WITHSCORES')
        if #newest == 2 then
          local left = tonumber(newest[2]) - oldest + 1
          if left > 0 then
            redis.call('PEXPIRE', KEYS[1], left)
            redis.call('PEXPIRE', KEYS[2], left)
          end
        end
        return result
        """;

    // KEYS[1] the index, [2] the entries; ARGV[1] the highest score (exclusive, "(n", or "+inf"), [2] the least, [3] the most entries.
    private const string ListScript = """
        local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[1], ARGV[2], 'LIMIT', 0, tonumber(ARGV[3]))
        if #ids == 0 then return {} end
        return redis.call('HMGET', KEYS[2], unpack(ids))
        """;

    // KEYS[1] the index, [2] the entries; ARGV[1] the call id. 1 removed.
    private const string RemoveScript = """
        redis.call('ZREM', KEYS[1], ARGV[1])
        return redis.call('HDEL', KEYS[2], ARGV[1])
        """;

    public Task<CallHistoryAdd> AddAsync(Address account, CallHistoryEntry entry, CallHistoryBounds bounds, CancellationToken cancellationToken = default)
    {
        entry = CallHistoryOrder.Normalize(entry);
        return redis.Guard(async () =>
        {
            var result = (int)await redis.Database.ScriptEvaluateAsync(
                AddScript,
                [keys.CallHistoryIndex(account.Value), keys.CallHistoryEntries(account.Value)],
                [entry.CallId, CallHistoryOrder.Score(entry), StoredCallHistoryEntry.Write(entry), bounds.MaxEntries, CallHistoryOrder.CeilingMilliseconds(bounds.NotBefore)]);
            return result switch
            {
                1 => CallHistoryAdd.Added,
                0 => CallHistoryAdd.AlreadyThere,
                _ => CallHistoryAdd.Dropped,
            };
        });
    }

    public Task<IReadOnlyList<CallHistoryEntry>> ListAsync(Address account, CallHistoryPage page, DateTimeOffset notBefore, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<CallHistoryEntry>>(async () =>
        {
            var highest = page.Before is { } before
                ? "(" + CallHistoryOrder.CeilingMilliseconds(before).ToString(CultureInfo.InvariantCulture)
                : "+inf";
            var found = (RedisResult[])(await redis.Database.ScriptEvaluateAsync(
                ListScript,
                [keys.CallHistoryIndex(account.Value), keys.CallHistoryEntries(account.Value)],
                [highest, CallHistoryOrder.CeilingMilliseconds(notBefore), page.Limit]))!;

            // An index id always has its entry (they are written and removed together); a null is skipped all the same.
            return found.Where(r => !r.IsNull).Select(r => Read((string)r!)).ToList();
        });

    public Task<bool> RemoveAsync(Address account, string callId, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => (int)await redis.Database.ScriptEvaluateAsync(
            RemoveScript,
            [keys.CallHistoryIndex(account.Value), keys.CallHistoryEntries(account.Value)],
            [callId]) == 1);

    public Task<bool> ClearAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => await redis.Database.KeyDeleteAsync([keys.CallHistoryIndex(account.Value), keys.CallHistoryEntries(account.Value)]) > 0);

    private CallHistoryEntry Read(string json)
    {
        try
        {
            return StoredCallHistoryEntry.Read(json);
        }
        catch (StoredFormatException unreadable)
        {
            throw redis.Unreadable(unreadable);
        }
    }
}
