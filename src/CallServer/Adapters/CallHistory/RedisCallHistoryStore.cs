using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Domain.Addresses;
using CallServer.Domain.Records;
using CallServer.History;
using CallServer.Ports;
using StackExchange.Redis;

namespace CallServer.Adapters.CallHistory;

/// <summary>
/// Call histories in Redis, three keys per account (one slot: they share the account's shard): a sorted set of call
/// ids scored by the end of the call in Unix milliseconds (<see cref="RedisKeys.CallHistoryIndex"/>), a hash of call
/// id → stored entry (<see cref="RedisKeys.CallHistoryEntries"/>), and the marks of what its user deleted
/// (<see cref="RedisKeys.CallHistoryDeleted"/>). Every add trims the first two to the bounds in the same script, and
/// sets them to expire when their newest entry becomes too old, so an account that stops calling leaves nothing
/// behind; the marks are trimmed and expire by the same bounds when written.
/// </summary>
public sealed class RedisCallHistoryStore(RedisConnection redis, RedisKeys keys) : ICallHistoryStore
{
    // KEYS[1] the index, [2] the entries, [3] the deleted marks; ARGV[1] the call id, [2] its score, [3] the stored
    // entry, [4] the most entries, [5] the least score kept. 1 added, 0 already there, 2 dropped (too old, or beyond
    // the count), 3 deleted by its user (one entry, or a clear after the call ended).
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
        if redis.call('ZSCORE', KEYS[3], ARGV[1]) then return 3 end
        local cleared = redis.call('ZSCORE', KEYS[3], ' cleared')
        if cleared and tonumber(ARGV[2]) <= tonumber(cleared) then return 3 end
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

    // KEYS[1] the index, [2] the entries; ARGV[1] the highest score (exclusive, "(n", or "+inf"), [2] the least, [3] the
    // most entries, [4] the cursor's score ('' for none), [5] the cursor's call id. With a cursor: first the entries of
    // its very millisecond whose ids come after it (ids compared byte by byte, as the sorted set orders them), then the
    // older ones.
    private const string ListScript = """
        local limit = tonumber(ARGV[3])
        local highest = ARGV[1]
        local ids = {}
        if ARGV[4] ~= '' then
          local function precedes(a, b)
            for i = 1, math.min(#a, #b) do
              local x, y = string.byte(a, i), string.byte(b, i)
              if x ~= y then return x < y end
            end
            return #a < #b
          end
          if tonumber(ARGV[4]) >= tonumber(ARGV[2]) then
            for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[4], ARGV[4])) do
              if #ids < limit and precedes(id, ARGV[5]) then ids[#ids + 1] = id end
            end
          end
          highest = '(' .. ARGV[4]
        end
        if #ids < limit then
          for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[1], highest, ARGV[2], 'LIMIT', 0, limit - #ids)) do ids[#ids + 1] = id end
        end
        if #ids == 0 then return {} end
        return redis.call('HMGET', KEYS[2], unpack(ids))
        """;

    // The marks' upkeep after a delete: drop those too old to matter, keep at most ARGV[3] of the calls' (oldest go
    // first; the clear's mark stays), expire with the newest. KEYS[3] the marks; ARGV[2] the least score kept.
    private const string TrimMarks = """
        local function trimMarks()
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[2])
          local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[3])
          if redis.call('ZSCORE', KEYS[3], ' cleared') then excess = excess - 1 end
          if excess > 0 then
            local gone = {}
            for _, id in ipairs(redis.call('ZRANGE', KEYS[3], 0, excess)) do
              if id ~= ' cleared' and #gone < excess then gone[#gone + 1] = id end
            end
            redis.call('ZREM', KEYS[3], unpack(gone))
          end
          local newest = redis.call('ZREVRANGE', KEYS[3], 0, 0, 'WITHSCORES')
          if #newest == 2 then
            local left = tonumber(newest[2]) - tonumber(ARGV[2]) + 1
            if left > 0 then redis.call('PEXPIRE', KEYS[3], left) else redis.call('DEL', KEYS[3]) end
          end
        end
        """;

    // KEYS[1] the index, [2] the entries, [3] the marks; ARGV[1] the call id, [2] the least score kept, [3] the most
    // marks. 1 removed (and marked), 0 the history had no such entry.
    private const string RemoveScript = TrimMarks + "\n" + """
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not score then return 0 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('ZADD', KEYS[3], score, ARGV[1])
        trimMarks()
        return 1
        """;

    // KEYS[1] the index, [2] the entries, [3] the marks; ARGV[1] the time of the clear (Unix ms), [2] the least score
    // kept, [3] the most marks. The marks of calls that ended by then are covered by the clear's. 1 there were entries.
    private const string ClearScript = TrimMarks + "\n" + """
        local had = redis.call('DEL', KEYS[1], KEYS[2])
        local before = redis.call('ZSCORE', KEYS[3], ' cleared')
        local at = tonumber(ARGV[1])
        if before and tonumber(before) > at then at = tonumber(before) end
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', at)
        redis.call('ZADD', KEYS[3], at, ' cleared')
        trimMarks()
        if had > 0 then return 1 end
        return 0
        """;

    public Task<CallHistoryAdd> AddAsync(Address account, CallHistoryEntry entry, CallHistoryBounds bounds, CancellationToken cancellationToken = default)
    {
        entry = CallHistoryOrder.Normalize(entry);
        return redis.Guard(async () =>
        {
            var result = (int)await redis.Database.ScriptEvaluateAsync(
                AddScript,
                Keys(account),
                [entry.CallId, CallHistoryOrder.Score(entry), StoredCallHistoryEntry.Write(entry), bounds.MaxEntries, CallHistoryOrder.CeilingMilliseconds(bounds.NotBefore)]);
            return result switch
            {
                1 => CallHistoryAdd.Added,
                0 => CallHistoryAdd.AlreadyThere,
                3 => CallHistoryAdd.Deleted,
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
                [highest, CallHistoryOrder.CeilingMilliseconds(notBefore), page.Limit, page.After?.EndedAtMilliseconds.ToString(CultureInfo.InvariantCulture) ?? "", page.After?.CallId ?? ""]))!;

            // An index id always has its entry (they are written and removed together); a null is skipped all the same.
            return found.Where(r => !r.IsNull).Select(r => Read((string)r!)).ToList();
        });

    public Task<bool> RemoveAsync(Address account, string callId, CallHistoryBounds bounds, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => (int)await redis.Database.ScriptEvaluateAsync(
            RemoveScript,
            Keys(account),
            [callId, CallHistoryOrder.CeilingMilliseconds(bounds.NotBefore), bounds.MaxEntries]) == 1);

    public Task<bool> ClearAsync(Address account, DateTimeOffset clearedAt, CallHistoryBounds bounds, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => (int)await redis.Database.ScriptEvaluateAsync(
            ClearScript,
            Keys(account),
            [clearedAt.ToUnixTimeMilliseconds(), CallHistoryOrder.CeilingMilliseconds(bounds.NotBefore), bounds.MaxEntries]) == 1);

    public Task<bool> DeleteAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard(async () =>
        {
            var database = redis.Database;
            var entries = database.KeyDeleteAsync([keys.CallHistoryIndex(account.Value), keys.CallHistoryEntries(account.Value)]);
            await database.KeyDeleteAsync(keys.CallHistoryDeleted(account.Value));
            return await entries > 0;
        });

    private RedisKey[] Keys(Address account) =>
        [keys.CallHistoryIndex(account.Value), keys.CallHistoryEntries(account.Value), keys.CallHistoryDeleted(account.Value)];

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
