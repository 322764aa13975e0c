using System.Globalization;
using CallServer.Adapters.Redis;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Calls;

/// <summary>
/// Calls in Redis: a hash per call (<c>v</c> the version, <c>d</c> the JSON record), saved by a Lua script
/// only if the stored version is the one the command was decided from. An ended call expires after the
/// retention period. A set per account indexes its calls; ids of expired calls are pruned on read.
/// </summary>
public sealed class RedisCallStore(RedisConnection redis, RedisKeys keys, IOptions<CallsOptions> options) : ICallStore
{
    // KEYS[1] the call, KEYS[2..] the account indexes; ARGV: expected version ('0' = must not exist),
    // new version, record, expiry in ms ('0' = none), the call id, the index expiry in ms (refreshed by
    // every save of any of the account's calls, so an index that nobody touches for a week goes away).
    private const string CompareAndSetScript = """
        local current = redis.call('HGET', KEYS[1], 'v')
        if ARGV[1] == '0' then
          if current then return 0 end
        elseif current ~= ARGV[1] then
          return 0
        end
        redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
        if ARGV[4] ~= '0' then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
        for i = 2, #KEYS do
          redis.call('SADD', KEYS[i], ARGV[5])
          redis.call('PEXPIRE', KEYS[i], ARGV[6])
        end
        return 1
        """;

    private static readonly string IndexLifetimeMs = ((long)TimeSpan.FromDays(7).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        redis.Guard(async () => Read(await redis.Database.HashGetAsync(keys.Call(callId), "d")));

    public Task<bool> TryCreateAsync(Call call, CancellationToken cancellationToken = default) => SaveAsync(call, 0);

    public Task<bool> TrySaveAsync(Call call, long expectedVersion, CancellationToken cancellationToken = default) => SaveAsync(call, expectedVersion);

    public Task<IReadOnlyList<Call>> GetCallsOfAsync(Address account, CancellationToken cancellationToken = default) =>
        redis.Guard<IReadOnlyList<Call>>(async () =>
        {
            var database = redis.Database;
            var index = keys.CallsOf(account.Value);
            var ids = await database.SetMembersAsync(index);
            var records = await Task.WhenAll(ids.Select(id => database.HashGetAsync(keys.Call(id!), "d")));
            var calls = new List<Call>();
            for (var i = 0; i < ids.Length; i++)
            {
                if (Read(records[i]) is { } call)
                {
                    calls.Add(call);
                }
                else
                {
                    await database.SetRemoveAsync(index, ids[i]);
                }
            }

            return calls;
        });

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        redis.Guard(() => redis.Database.PingAsync());

    private Task<bool> SaveAsync(Call call, long expectedVersion) => redis.Guard(async () =>
    {
        var accounts = call.Devices.Select(d => d.Account).Append(call.Caller.Account).Append(call.Callee.Account).Distinct();
        RedisKey[] scriptKeys = [keys.Call(call.CallId), .. accounts.Select(a => keys.CallsOf(a.Value))];
        var expiry = call.Phase == CallPhase.Ended ? (long)options.Value.EndedCallRetention.TotalMilliseconds : 0;
        var result = await redis.Database.ScriptEvaluateAsync(
            CompareAndSetScript,
            scriptKeys,
            [
                expectedVersion.ToString(CultureInfo.InvariantCulture),
                call.Version.ToString(CultureInfo.InvariantCulture),
                StoredCallFormat.Write(call),
                expiry.ToString(CultureInfo.InvariantCulture),
                call.CallId,
                IndexLifetimeMs,
            ]);
        return (int)result == 1;
    });

    /// <summary>A stored call of any schema this node reads; a newer or broken one refuses the operation (<c>Unavailable</c>).</summary>
    private Call? Read(RedisValue record)
    {
        try
        {
            return record.IsNullOrEmpty ? null : StoredCallFormat.Read(record.ToString());
        }
        catch (StoredFormatException unreadable)
        {
            throw redis.Unreadable(unreadable);
        }
    }
}
