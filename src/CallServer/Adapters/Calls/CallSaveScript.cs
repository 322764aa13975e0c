using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Adapters.Timers;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using StackExchange.Redis;

namespace CallServer.Adapters.Calls;

/// <summary>
/// The Lua script that saves a <see cref="CallChange"/> in one atomic step, and the builder of its keys and
/// arguments (<see cref="For"/>), whose layout is named here once for both sides.
/// </summary>
/// <remarks>
/// Keys: <see cref="CallKey"/>, <see cref="TimersKey"/>, <see cref="CallTimersKey"/>, <see cref="PlacedKey"/>,
/// then the active sets of the call's accounts, then one outbox stream per outbox message. On a Redis Cluster
/// every key is in the call's shard (<see cref="RedisShards"/>): the call, its timers and outbox streams, and
/// its caller's sets; the active sets of accounts in other shards follow by an <see cref="IndexTopic"/> message.
/// Arguments: the fixed ones (<see cref="ExpectedVersionArg"/> … <see cref="OutboxCountArg"/>), then the
/// timers as (due ms, member) pairs, then the outbox payloads in the order of their streams.
/// </remarks>
public static class CallSaveScript
{
    public const int CallKey = 1;
    public const int TimersKey = 2;
    public const int CallTimersKey = 3;
    public const int PlacedKey = 4;

    /// <summary>The first active set; the outbox streams follow the last one.</summary>
    public const int FirstActiveSetKey = 5;

    /// <summary>'0' for a create (the call must not exist), else the version the change was decided from.</summary>
    public const int ExpectedVersionArg = 1;
    public const int NewVersionArg = 2;

    /// <summary>The stored record (<see cref="StoredCallFormat"/>).</summary>
    public const int RecordArg = 3;

    /// <summary>Expiry of the call hash in ms ('0': none; an ended call is kept for the retention period).</summary>
    public const int ExpiryArg = 4;
    public const int CallIdArg = 5;

    /// <summary>'1' when the call has ended: it leaves the active sets and drops its pending timers.</summary>
    public const int EndedArg = 6;

    /// <summary>On a create, the most calls in progress the caller may already have.</summary>
    public const int MaxCallsInProgressArg = 7;

    /// <summary>The key prefix of call hashes (a create that finds the limit reached drops stale members of the placed set).</summary>
    public const int CallPrefixArg = 8;

    /// <summary>The Redis time (ms) after which the save must not be applied, its sender having given up ('0': none; see <see cref="RedisConnection.WriteDeadline"/>).</summary>
    public const int DeadlineArg = 9;
    public const int ActiveSetCountArg = 10;
    public const int TimerCountArg = 11;
    public const int OutboxCountArg = 12;

    /// <summary>The first argument after the fixed ones: the timers' pairs, then the outbox payloads.</summary>
    public const int FirstVariableArg = 13;

    /// <summary>Saved.</summary>
    public const int Saved = 1;

    /// <summary>A create found the caller's limit reached.</summary>
    public const int LimitReached = -1;

    /// <summary>The save came after its deadline: not applied.</summary>
    public const int TooLate = -2;

    // Returns Saved; on a lost race the record stored now (so the loser needs no second read), or 0 when
    // there is none (or a create found the id taken); LimitReached; TooLate. The index sets need no expiry:
    // a set whose last call ended is empty, and Redis drops empty sets. A call that ends takes its pending
    // timers out of the timers (none of them would do anything), so an ended call leaves no work behind.
    // The outbox streams are not capped: a stream holds only work not done (acknowledged entries are deleted).
    public const string Lua = """
        local callKey, timersKey, callTimersKey, placedKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
        local expected, version, record, expiry, callId, ended = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
        local limit, callPrefix, deadline = tonumber(ARGV[7]), ARGV[8], ARGV[9]
        local activeSets, timerCount, outboxCount = tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12])
        local firstActiveSet = 5
        local firstStream = firstActiveSet + activeSets
        local firstTimer = 13
        local firstPayload = firstTimer + 2 * timerCount
        if deadline ~= '0' then
          local time = redis.call('TIME')
          if tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000) > tonumber(deadline) then return -2 end
        end
        local current = redis.call('HGET', callKey, 'v')
        if expected == '0' then
          if current then return 0 end
          if redis.call('SCARD', placedKey) >= limit then
            for _, id in ipairs(redis.call('SMEMBERS', placedKey)) do
              local call = callPrefix .. id
              if redis.call('EXISTS', call) == 0 or redis.call('HEXISTS', call, 'e') == 1 then
                redis.call('SREM', placedKey, id)
              end
            end
            if redis.call('SCARD', placedKey) >= limit then return -1 end
          end
        elseif current ~= expected then
          return redis.call('HGET', callKey, 'd') or 0
        end
        redis.call('HSET', callKey, 'v', version, 'd', record)
        local op = 'SADD'
        if ended == '1' then
          redis.call('HSET', callKey, 'e', '1')
          op = 'SREM'
          local pending = redis.call('SMEMBERS', callTimersKey)
          if #pending > 0 then
            redis.call('ZREM', timersKey, unpack(pending))
            redis.call('DEL', callTimersKey)
          end
        end
        if expiry ~= '0' then redis.call('PEXPIRE', callKey, expiry) end
        redis.call(op, placedKey, callId)
        for i = firstActiveSet, firstStream - 1 do
          redis.call(op, KEYS[i], callId)
        end
        for t = 0, timerCount - 1 do
          local due, member = ARGV[firstTimer + 2 * t], ARGV[firstTimer + 2 * t + 1]
          redis.call('ZADD', timersKey, due, member)
          redis.call('SADD', callTimersKey, member)
        end
        for m = 0, outboxCount - 1 do
          redis.call('XADD', KEYS[firstStream + m], '*', 'c', callId, 'p', ARGV[firstPayload + m])
        end
        return 1
        """;

    /// <summary>
    /// The outbox topic, internal to this adapter, of the active-call indexes a save could not change in its own
    /// atomic step (on a Redis Cluster, those of accounts in another shard than the call's): applied by
    /// <see cref="ActiveIndexWorker"/>, idempotently, from the call's state at the time.
    /// </summary>
    public const string IndexTopic = "index";

    /// <summary>The keys and arguments that save <paramref name="change"/>.</summary>
    /// <param name="change">The change to save.</param>
    /// <param name="keys">The key names.</param>
    /// <param name="retention">How long an ended call stays readable.</param>
    /// <param name="deadline">The Redis time after which the save must not be applied (<see cref="RedisConnection.WriteDeadline"/>).</param>
    /// <param name="oneSlot">
    /// Every key in the call's shard (a Redis Cluster): the active sets of accounts in other shards are left to an
    /// <see cref="IndexTopic"/> message instead.
    /// </param>
    /// <param name="previous">
    /// The call as this node last saw it (<see cref="LastSeenCalls"/>), if known: when it is the version the change was
    /// decided from and has the same accounts in other shards, those accounts' sets are right already and no index
    /// message is needed (one per call at its create and one at its end, in an ordinary call).
    /// </param>
    public static CallSave For(CallChange change, RedisKeys keys, TimeSpan retention, string deadline, bool oneSlot, Call? previous = null)
    {
        var call = change.Call;
        var shard = RedisShards.Of(call.CallId);
        var ended = call.Phase == CallPhase.Ended;
        var accounts = ActiveCallIndex.AccountsOf(call).Select(account => account.Value).ToList();
        var inStep = oneSlot ? accounts.Where(account => RedisShards.Of(account) == shard).ToList() : accounts;
        var outbox = change.Outbox;
        var elsewhere = accounts.Except(inStep, StringComparer.Ordinal).ToList();
        var indexLater = elsewhere.Count > 0 && (change.IsCreate || ended || !SameAccountsElsewhere(previous, change.ExpectedVersion, shard, elsewhere));
        if (indexLater)
        {
            outbox = [.. outbox, new OutboxMessage(IndexTopic, call.CallId, string.Join('\n', elsewhere))];
        }

        RedisKey[] scriptKeys =
        [
            keys.Call(call.CallId),
            keys.Timers(shard),
            keys.TimersOf(call.CallId),
            keys.CallsPlacedBy(call.Caller.Account.Value),
            .. inStep.Select(keys.ActiveCallsOf),
            .. outbox.Select(message => keys.Outbox(message.Topic, shard)),
        ];
        RedisValue[] arguments =
        [
            Number(change.ExpectedVersion),
            Number(call.Version),
            StoredCallFormat.Write(call),
            Number(ended ? (long)retention.TotalMilliseconds : 0),
            call.CallId,
            ended ? "1" : "0",
            Number(change.MaxCallsInProgress),
            keys.CallPrefix(shard),
            deadline,
            Number(inStep.Count),
            Number(change.Timers.Count),
            Number(outbox.Count),
            .. change.Timers.SelectMany(timer => new RedisValue[]
            {
                Number(timer.DueAt.ToUnixTimeMilliseconds()),
                RedisTimerQueue.Member(new DueTimer(call.CallId, timer)),
            }),
            .. outbox.Select(message => (RedisValue)message.Payload),
        ];
        return new CallSave(scriptKeys, arguments, indexLater);
    }

    /// <summary>Whether <paramref name="previous"/>, the version the change was decided from, had exactly <paramref name="elsewhere"/> as its accounts outside <paramref name="shard"/>.</summary>
    private static bool SameAccountsElsewhere(Call? previous, long expectedVersion, int shard, List<string> elsewhere)
    {
        if (previous is null || previous.Version != expectedVersion || previous.Phase == CallPhase.Ended)
        {
            return false;
        }

        var before = ActiveCallIndex.AccountsOf(previous).Select(account => account.Value).Where(account => RedisShards.Of(account) != shard);
        return before.ToHashSet(StringComparer.Ordinal).SetEquals(elsewhere);
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>What <see cref="CallSaveScript.For"/> gives: the script's keys and arguments, and whether it appends an index message.</summary>
public readonly record struct CallSave(RedisKey[] Keys, RedisValue[] Arguments, bool IndexLater);
