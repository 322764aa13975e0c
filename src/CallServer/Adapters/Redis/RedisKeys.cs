using CallServer.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CallServer.Adapters.Redis;

/// <summary>Every key and channel name CallServer uses in Redis (see docs/operations.md).</summary>
public sealed class RedisKeys(IOptions<RedisOptions> options)
{
    private readonly string prefix = options.Value.KeyPrefix;

    public RedisKey Call(string callId) => InShardOf(callId) + "call:" + callId;

    /// <summary>The members of <see cref="Timers"/> that a call scheduled, so that they go when it ends.</summary>
    public RedisKey TimersOf(string callId) => InShardOf(callId) + "call:" + callId + ":timers";

    /// <summary>The prefix of the call hashes of a shard (<see cref="Call"/> is this plus the id), for scripts.</summary>
    public string CallPrefix(int shard) => InShard(shard) + "call:";

    /// <summary>The calls that have not ended in which an account takes part (in the account's shard).</summary>
    public RedisKey ActiveCallsOf(string account) => InShardOf(account) + "account:" + account + ":active";

    /// <summary>The calls that have not ended that an account placed (in the account's shard, which is its calls' shard).</summary>
    public RedisKey CallsPlacedBy(string account) => InShardOf(account) + "account:" + account + ":placed";

    public RedisKey User(string address) => prefix + "user:" + address;

    public RedisKey Users => prefix + "users";

    public RedisKey Presence(string account) => prefix + "presence:" + account;

    public RedisKey DeviceNodes => prefix + "device-nodes";

    public RedisKey Nodes => prefix + "nodes";

    public RedisKey NodeAlive(string nodeId) => prefix + "node:" + nodeId + ":alive";

    public RedisKey NodeReaping(string nodeId) => prefix + "node:" + nodeId + ":reaping";

    public RedisKey NodeReaped(string nodeId) => prefix + "node:" + nodeId + ":reaped";

    public RedisKey NodeDevices(string nodeId) => prefix + "node:" + nodeId + ":devices";

    /// <summary>The due timers of the calls of a shard: a sorted set of timer members scored by due time.</summary>
    public RedisKey Timers(int shard) => InShard(shard) + "timers";

    public RedisKey ClaimedTimers(int shard) => InShard(shard) + "timers:claimed";

    /// <summary>The outbox stream of a topic (<c>push</c>, …) for the calls of a shard, read by a consumer group of every node's workers.</summary>
    public RedisKey Outbox(string topic, int shard) => InShard(shard) + "outbox:" + topic;

    /// <summary>Which key layout the data is in (<see cref="RedisLayout"/>); written by the migration.</summary>
    public RedisKey Layout => prefix + "layout";

    /// <summary>Held by the node migrating the data to this layout.</summary>
    public RedisKey LayoutMigrationLock => prefix + "layout:migrating";

    /// <summary>Which node delivers webhooks: its node id, with an expiry its holder renews (a leader lease).</summary>
    public RedisKey WebhooksLeader => prefix + "webhooks:leader";

    /// <summary>Push registrations of an account: a hash of registration id → stored registration.</summary>
    public RedisKey PushRegistrations(string account) => prefix + "push:" + account;

    /// <summary>The call history of an account: a sorted set of call ids, scored by the end of the call in Unix milliseconds.</summary>
    public RedisKey CallHistoryIndex(string account) => InShardOf(account) + "history:" + account + ":index";

    /// <summary>The call history of an account: a hash of call id → stored entry.</summary>
    public RedisKey CallHistoryEntries(string account) => InShardOf(account) + "history:" + account + ":entries";

    /// <summary>
    /// What the user of an account deleted from its history (issue 20): a sorted set of call ids scored by the end of
    /// the call, and the member <see cref="ClearedMark"/> scored by the time of the last clear; a record written again
    /// for one of them (the outbox delivers at least once) is not added back.
    /// </summary>
    public RedisKey CallHistoryDeleted(string account) => InShardOf(account) + "history:" + account + ":deleted";

    /// <summary>The member of <see cref="CallHistoryDeleted"/> whose score is the last clear (no call id has a space).</summary>
    public const string ClearedMark = " cleared";

    /// <summary>Every node listens here for accounts whose connections must close (a deleted user).</summary>
    public RedisChannel ClosedAccountsChannel => RedisChannel.Literal(prefix + "accounts:closed");

    public RedisChannel NodeChannel(string nodeId) => RedisChannel.Literal(prefix + "node:" + nodeId);

    /// <summary>The key prefix of layout 1 (before shards), which <see cref="RedisLayout"/> migrates from.</summary>
    public string Prefix => prefix;

    private string InShardOf(string id) => InShard(RedisShards.Of(id));

    private string InShard(int shard) => prefix + RedisShards.Tag(shard) + ":";
}
