using CallServer.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Redis;

/// <summary>Every key and channel name CallServer uses in Redis (see docs/operations.md).</summary>
public sealed class RedisKeys(IOptions<RedisOptions> options)
{
    private readonly string prefix = options.Value.KeyPrefix;

    public RedisKey Call(string callId) => prefix + "call:" + callId;

    /// <summary>The members of <see cref="Timers"/> that a call scheduled, so that they go when it ends.</summary>
    public RedisKey TimersOf(string callId) => prefix + "call:" + callId + ":timers";

    /// <summary>The prefix of every call hash (<see cref="Call"/> is this plus the id), for scripts.</summary>
    public string CallPrefix => prefix + "call:";

    /// <summary>The calls that have not ended in which an account takes part.</summary>
    public RedisKey ActiveCallsOf(string account) => prefix + "account:" + account + ":active";

    /// <summary>
    /// The index the version before wrote: every call of an account, ended ones included. Read once per
    /// account to move its calls in progress into <see cref="ActiveCallsOf"/>, then deleted.
    /// </summary>
    public RedisKey LegacyCallsOf(string account) => prefix + "account:" + account + ":calls";

    /// <summary>The calls that have not ended that an account placed.</summary>
    public RedisKey CallsPlacedBy(string account) => prefix + "account:" + account + ":placed";

    public RedisKey User(string address) => prefix + "user:" + address;

    public RedisKey Users => prefix + "users";

    public RedisKey Presence(string account) => prefix + "presence:" + account;

    public RedisKey DeviceNodes => prefix + "device-nodes";

    public RedisKey Nodes => prefix + "nodes";

    public RedisKey NodeAlive(string nodeId) => prefix + "node:" + nodeId + ":alive";

    public RedisKey NodeReaping(string nodeId) => prefix + "node:" + nodeId + ":reaping";

    public RedisKey NodeReaped(string nodeId) => prefix + "node:" + nodeId + ":reaped";

    public RedisKey NodeDevices(string nodeId) => prefix + "node:" + nodeId + ":devices";

    public RedisKey Timers => prefix + "timers";

    public RedisKey ClaimedTimers => prefix + "timers:claimed";

    /// <summary>The outbox stream of a topic (<c>push</c>, …), read by a consumer group of every node's workers.</summary>
    public RedisKey Outbox(string topic) => prefix + "outbox:" + topic;

    /// <summary>Which node delivers webhooks: its node id, with an expiry its holder renews (a leader lease).</summary>
    public RedisKey WebhooksLeader => prefix + "webhooks:leader";

    /// <summary>Push registrations of an account: a hash of registration id → stored registration.</summary>
    public RedisKey PushRegistrations(string account) => prefix + "push:" + account;

    /// <summary>The call history of an account: a sorted set of call ids, scored by the end of the call in Unix milliseconds.</summary>
    public RedisKey CallHistoryIndex(string account) => prefix + "history:" + account + ":index";

    /// <summary>The call history of an account: a hash of call id → stored entry.</summary>
    public RedisKey CallHistoryEntries(string account) => prefix + "history:" + account + ":entries";

    /// <summary>Every node listens here for accounts whose connections must close (a deleted user).</summary>
    public RedisChannel ClosedAccountsChannel => RedisChannel.Literal(prefix + "accounts:closed");

    public RedisChannel NodeChannel(string nodeId) => RedisChannel.Literal(prefix + "node:" + nodeId);
}
