using CallServer.Adapters.Calls;
using CallServer.Adapters.Redis;
using CallServer.Configuration;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Calls;

/// <summary>The keys and arguments <see cref="CallSaveScript.For"/> builds, at the positions the script reads them from.</summary>
public sealed class CallSaveScriptTests
{
    private static readonly RedisKeys Keys = new(Options.Create(new RedisOptions { KeyPrefix = "t:" }));
    private static readonly DateTimeOffset Now = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);

    private static string Arg(RedisValue[] arguments, int position) => arguments[position - 1].ToString();

    private static string Key(RedisKey[] keys, int position) => keys[position - 1].ToString();

    [Fact]
    public void A_create_carries_no_expected_version_and_the_callers_limit()
    {
        var call = Simple(User("alice"), User("bob"), Now, "c1");

        var (keys, arguments, indexLater) = CallSaveScript.For(CallChange.Create(call, maxCallsInProgress: 3), Keys, Retention, "0", oneSlot: false);

        var shard = RedisShards.Tag(RedisShards.Of("c1"));
        Assert.Equal($"t:{shard}:call:c1", Key(keys, CallSaveScript.CallKey));
        Assert.Equal($"t:{shard}:timers", Key(keys, CallSaveScript.TimersKey));
        Assert.Equal($"t:{shard}:call:c1:timers", Key(keys, CallSaveScript.CallTimersKey));
        Assert.Equal($"t:{RedisShards.Tag(RedisShards.Of("alice@example.test"))}:account:alice@example.test:placed", Key(keys, CallSaveScript.PlacedKey));
        Assert.False(indexLater);
        Assert.Equal("0", Arg(arguments, CallSaveScript.ExpectedVersionArg));
        Assert.Equal("1", Arg(arguments, CallSaveScript.NewVersionArg));
        Assert.Equal(StoredCallFormat.Write(call), Arg(arguments, CallSaveScript.RecordArg));
        Assert.Equal("0", Arg(arguments, CallSaveScript.ExpiryArg));
        Assert.Equal("c1", Arg(arguments, CallSaveScript.CallIdArg));
        Assert.Equal("0", Arg(arguments, CallSaveScript.EndedArg));
        Assert.Equal("3", Arg(arguments, CallSaveScript.MaxCallsInProgressArg));
        Assert.Equal($"t:{shard}:call:", Arg(arguments, CallSaveScript.CallPrefixArg));
        Assert.Equal("0", Arg(arguments, CallSaveScript.DeadlineArg));
        Assert.Equal(CallSaveScript.FirstVariableArg - 1, arguments.Length);
    }

    [Fact]
    public void The_active_sets_then_the_streams_follow_the_fixed_keys_and_the_timers_then_the_payloads_the_fixed_arguments()
    {
        var call = Simple(User("alice"), User("bob"), Now, "c2") with { Version = 5 };
        TimerRequest[] timers = [new(CallTimerKind.Ring, "r1", Now.AddSeconds(60)), new(CallTimerKind.Operation, "o1", Now.AddSeconds(10))];
        OutboxMessage[] outbox = [new("push", "c2", "p-push"), new("history", "c2", "p-history"), new("push", "c2", "p-push-2")];

        var (keys, arguments, _) = CallSaveScript.For(CallChange.Update(call, 4, timers, outbox), Keys, Retention, "1234", oneSlot: false);

        var activeSets = int.Parse(Arg(arguments, CallSaveScript.ActiveSetCountArg), System.Globalization.CultureInfo.InvariantCulture);
        var firstStream = CallSaveScript.FirstActiveSetKey + activeSets;
        Assert.Equal(
            ActiveCallIndex.AccountsOf(call).Select(a => $"t:{RedisShards.Tag(RedisShards.Of(a.Value))}:account:{a.Value}:active").Order(),
            keys[(CallSaveScript.FirstActiveSetKey - 1)..(firstStream - 1)].Select(k => k.ToString()).Order());
        var shard = RedisShards.Tag(RedisShards.Of("c2"));
        Assert.Equal([$"t:{shard}:outbox:push", $"t:{shard}:outbox:history", $"t:{shard}:outbox:push"], keys[(firstStream - 1)..].Select(k => k.ToString()));

        Assert.Equal("4", Arg(arguments, CallSaveScript.ExpectedVersionArg));
        Assert.Equal("5", Arg(arguments, CallSaveScript.NewVersionArg));
        Assert.Equal("1234", Arg(arguments, CallSaveScript.DeadlineArg));
        Assert.Equal("2", Arg(arguments, CallSaveScript.TimerCountArg));
        Assert.Equal("3", Arg(arguments, CallSaveScript.OutboxCountArg));
        var first = CallSaveScript.FirstVariableArg;
        Assert.Equal(Now.AddSeconds(60).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), Arg(arguments, first));
        Assert.Equal("c2|Ring|" + Now.AddSeconds(60).ToUnixTimeMilliseconds() + "|r1", Arg(arguments, first + 1));
        Assert.Equal("c2|Operation|" + Now.AddSeconds(10).ToUnixTimeMilliseconds() + "|o1", Arg(arguments, first + 3));
        Assert.Equal(["p-push", "p-history", "p-push-2"], arguments[(first - 1 + 4)..].Select(a => a.ToString()));
    }

    [Fact]
    public void An_ended_call_is_marked_ended_and_expires_after_the_retention()
    {
        var call = Simple(User("alice"), User("bob"), Now, "c3") with { Version = 2, Phase = CallPhase.Ended, EndedAt = Now };

        var (_, arguments, _) = CallSaveScript.For(CallChange.Update(call, 1), Keys, Retention, "0", oneSlot: false);

        Assert.Equal("1", Arg(arguments, CallSaveScript.EndedArg));
        Assert.Equal("300000", Arg(arguments, CallSaveScript.ExpiryArg));
        Assert.Equal(int.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), Arg(arguments, CallSaveScript.MaxCallsInProgressArg));
    }

    [Fact]
    public void On_a_cluster_every_key_of_a_save_is_in_the_calls_slot_and_the_other_shards_indexes_follow_by_an_index_message()
    {
        var caller = User("alice");
        var callee = Enumerable.Range(0, 100).Select(i => User("bob" + i)).First(u => RedisShards.Of(u.Value) != RedisShards.Of(caller.Value));
        var callId = RedisShards.NewCallId(caller.Value);
        var call = Simple(caller, callee, Now, callId);
        TimerRequest[] timers = [new(CallTimerKind.Ring, "r1", Now.AddSeconds(60))];
        OutboxMessage[] outbox = [new("push", callId, "p-push"), new("webhooks", callId, "p-hook")];

        var (keys, arguments, indexLater) = CallSaveScript.For(CallChange.Create(call, 3, timers, outbox), Keys, Retention, "0", oneSlot: true);

        Assert.True(indexLater);
        Assert.Single(keys.Select(k => ClusterSlot(k.ToString())).Distinct());
        Assert.Equal("1", Arg(arguments, CallSaveScript.ActiveSetCountArg)); // the caller's only
        Assert.Equal("3", Arg(arguments, CallSaveScript.OutboxCountArg));
        Assert.EndsWith(":outbox:index", keys[^1].ToString());
        Assert.Equal(callee.Value, arguments[^1].ToString());

        // A save from a version this node saw, with the same accounts in other shards, leaves no index message;
        // one from a version it did not see, or that moves the call to another account, or ends it, does.
        var seen = call with { Version = 3, Phase = CallPhase.Ringing };
        var answered = call with { Version = 4, Phase = CallPhase.Connected };
        Assert.False(CallSaveScript.For(CallChange.Update(answered, 3), Keys, Retention, "0", oneSlot: true, previous: seen).IndexLater);
        Assert.True(CallSaveScript.For(CallChange.Update(answered, 3), Keys, Retention, "0", oneSlot: true).IndexLater);
        Assert.True(CallSaveScript.For(CallChange.Update(answered, 3), Keys, Retention, "0", oneSlot: true, previous: seen with { Version = 2 }).IndexLater);
        var elsewhere = Enumerable.Range(0, 100).Select(i => User("carol" + i)).First(u => RedisShards.Of(u.Value) != RedisShards.Of(caller.Value) && u != callee);
        Assert.True(CallSaveScript.For(CallChange.Update(answered with { Callee = answered.Callee with { Account = elsewhere } }, 3), Keys, Retention, "0", oneSlot: true, previous: seen).IndexLater);
        var ended = call with { Version = 5, Phase = CallPhase.Ended, EndedAt = Now };
        Assert.True(CallSaveScript.For(CallChange.Update(ended, 4), Keys, Retention, "0", oneSlot: true, previous: answered).IndexLater);
    }

    [Fact]
    public void A_new_call_id_is_random_hex_in_its_callers_shard_and_the_shards_spread_over_the_slots()
    {
        foreach (var caller in new[] { "alice", "bob@example.test", "tel:+15551234567", "anonymous-1f2e" })
        {
            var id = RedisShards.NewCallId(caller);
            Assert.Matches("^[0-9a-f]{32}$", id);
            Assert.Equal(RedisShards.Of(caller), RedisShards.Of(id));
            Assert.NotEqual(id, RedisShards.NewCallId(caller));
        }

        // Shard i's tag falls in the i-th sixteenth of the slots: three primaries of equal ranges hold 5 or 6 shards each.
        for (var shard = 0; shard < RedisShards.Count; shard++)
        {
            Assert.Equal(shard, ClusterSlot("x" + RedisShards.Tag(shard) + ":y") / (RedisShards.Slots / RedisShards.Count));
        }

        // The slot function is Redis's (CLUSTER KEYSLOT values), for any text (the bitwise CRC16/XMODEM of its UTF-8).
        Assert.Equal(12182, RedisShards.Slot("foo"));
        Assert.Equal(5061, RedisShards.Slot("bar"));
        var random = new Random(19);
        for (var i = 0; i < 500; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 40)).Select(_ => (char)(random.Next(4) == 0 ? random.Next(0x80, 0x800) : random.Next(0x20, 0x7F)))]);
            Assert.Equal(ReferenceSlot(text), RedisShards.Slot(text));
        }
    }

    private static int ReferenceSlot(string key)
    {
        var crc = 0;
        foreach (var value in System.Text.Encoding.UTF8.GetBytes(key))
        {
            crc ^= value << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return crc % 16384;
    }

    /// <summary>The slot Redis Cluster gives a key: of its hash tag's content when it has one.</summary>
    private static int ClusterSlot(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1)
            {
                return RedisShards.Slot(key[(open + 1)..close]);
            }
        }

        return RedisShards.Slot(key);
    }

    [Fact]
    public void A_change_is_a_create_or_an_update_of_a_stored_version()
    {
        var call = Simple(User("alice"), User("bob"), Now);

        Assert.True(CallChange.Create(call, 1).IsCreate);
        Assert.False(CallChange.Update(call, 1).IsCreate);
        Assert.Throws<ArgumentOutOfRangeException>(() => CallChange.Update(call, CallChange.CreatedVersion));
        Assert.Throws<ArgumentOutOfRangeException>(() => CallChange.Create(call, 0));
    }
}
