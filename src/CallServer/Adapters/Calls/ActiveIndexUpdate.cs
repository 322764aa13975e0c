using CallServer.Adapters.Redis;
using CallServer.Domain.Ports;

namespace CallServer.Adapters.Calls;

/// <summary>
/// One <see cref="CallSaveScript.IndexTopic"/> message applied: the call joins the active-call sets of the accounts
/// it names while it is stored and not ended, and leaves them otherwise. It follows the call as stored now, not
/// the message, so applying a message twice, or after a later one, changes nothing wrong.
/// </summary>
public sealed class ActiveIndexUpdate(RedisConnection redis, RedisKeys keys)
{
    public Task ApplyAsync(OutboxMessage message) => redis.Guard(async () =>
    {
        var database = redis.Database;
        var state = await database.HashGetAsync(keys.Call(message.CallId), ["v", "e"]);
        var active = !state[0].IsNull && state[1].IsNull;
        var accounts = message.Payload.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        await Task.WhenAll(accounts.Select(account => active
            ? database.SetAddAsync(keys.ActiveCallsOf(account), message.CallId)
            : database.SetRemoveAsync(keys.ActiveCallsOf(account), message.CallId)));
    });
}
