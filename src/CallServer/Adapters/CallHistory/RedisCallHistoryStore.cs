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
    // add(index, entries, marks, call id, its score, the stored entry, the most entries, the least score kept): 1 added,
    // 0 already there, 2 dropped (too old, or beyond the count), 3 deleted by its user (one entry, or a clear after the
    // call ended).
    private const string AddFunction = """
        local function add(index, entries, marks, id, score, stored, most, least)
          local function forget(ids)
            for i = 1, #ids, 500 do
              redis.call('HDEL', entries, unpack(ids, i, math.min(i + 499, #ids)))
            end
          end
          local oldest = tonumber(least)
          local stale = redis.call('ZRANGEBYSCORE', index, '-inf', '(' .. least)
          if #stale > 0 then
            redis.call('ZREMRANGEBYSCORE', index, '-inf', '(' .. least)
            forget(stale)
          end
          if redis.call('HEXISTS', entries, id) == 1 then return 0 end
          if redis.call('ZSCORE', marks, id) then return 3 end
          local cleared = redis.call('ZSCORE', marks, ' cleared')
          if cleared and tonumber(score) <= tonumber(cleared) then return 3 end
          if tonumber(score) < oldest then return 2 end
          redis.call('ZADD', index, score, id)
          redis.call('HSET', entries, id, stored)
          local result = 1
          local excess = redis.call('ZCARD', index) - tonumber(most)
          if excess > 0 then
            local gone = redis.call('ZRANGE', index, 0, excess - 1)
            redis.call('ZREMRANGEBYRANK', index, 0, excess - 1)
            forget(gone)
            for _, gid in ipairs(gone) do
              if gid == id then result = 2 end
            end
          end
          local newest = redis.call('ZREVRANGE', index, 0, 0, 'WITHSCORES')
          if #newest == 2 then
            local left = tonumber(newest[2]) - oldest + 1
            if left > 0 then
              redis.call('PEXPIRE', index, left)
              redis.call('PEXPIRE', entries, left)
            end
          end
          return result
        end
        """;

    // KEYS[1] the index, [2] the entries, [3] the deleted marks; ARGV[1] the call id, [2] its score, [3] the stored
    // entry, [4] the most entries, [5] the least score kept. The result of add.
    private const string AddScript = AddFunction + "\n" + """
        return add(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])
        """;

    // Several adds, each on its own account's three keys: KEYS[3i+1..3i+3] as in AddScript; ARGV[1] the most entries,
    // [2] the least score kept, then per add its call id, score and stored entry. The results of add, in order.
    private const string AddAllScript = AddFunction + "\n" + """
        local results = {}
        for i = 0, #KEYS / 3 - 1 do
          results[i + 1] = add(KEYS[3 * i + 1], KEYS[3 * i + 2], KEYS[3 * i + 3], ARGV[3 * i + 3], ARGV[3 * i + 4], ARGV[3 * i + 5], ARGV[1], ARGV[2])
        end
        return results
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
            return AddResult(result);
        });
    }

    /// <summary>
    /// One script for all of <paramref name="additions"/> on a single Redis (or Sentinel); on a cluster, one per shard
    /// of their accounts (a script touches one slot), sent together. Each add is atomic on its own, as in <see cref="AddAsync"/>.
    /// </summary>
    public async Task<IReadOnlyList<CallHistoryAdd>> AddAllAsync(IReadOnlyList<CallHistoryAddition> additions, CallHistoryBounds bounds, CancellationToken cancellationToken = default)
    {
        var results = new CallHistoryAdd[additions.Count];
        var groups = redis.IsCluster
            ? additions.Select((addition, i) => (addition, i)).GroupBy(a => RedisShards.Of(a.addition.Account.Value)).Select(g => g.ToList())
            : [additions.Select((addition, i) => (addition, i)).ToList()];
        await Task.WhenAll(groups.Where(group => group.Count > 0).Select(async group =>
        {
            var keys = group.SelectMany(a => Keys(a.addition.Account)).ToArray();
            var arguments = new List<RedisValue>(2 + (3 * group.Count))
            {
                bounds.MaxEntries,
                CallHistoryOrder.CeilingMilliseconds(bounds.NotBefore),
            };
            foreach (var (addition, _) in group)
            {
                var entry = CallHistoryOrder.Normalize(addition.Entry);
                arguments.AddRange([entry.CallId, CallHistoryOrder.Score(entry), StoredCallHistoryEntry.Write(entry)]);
            }

            var answered = await redis.Guard(async () => (RedisResult[])(await redis.Database.ScriptEvaluateAsync(AddAllScript, keys, [.. arguments]))!);
            for (var j = 0; j < group.Count; j++)
            {
                results[group[j].i] = AddResult((int)answered[j]);
            }
        }));
        return results;
    }

    private static CallHistoryAdd AddResult(int result) => result switch
    {
        1 => CallHistoryAdd.Added,
        0 => CallHistoryAdd.AlreadyThere,
        3 => CallHistoryAdd.Deleted,
        _ => CallHistoryAdd.Dropped,
    };

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
