using CallServer.Adapters.Calls;
using CallServer.Adapters.Outbox;
using CallServer.Adapters.Presence;
using CallServer.Adapters.PushRegistrations;
using CallServer.Adapters.Timers;
using CallServer.Adapters.Users;
using CallServer.Application;
using CallServer.Auth;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Domain.Views;
using CallServer.Hubs;
using CallServer.Observability.Metrics;
using CallServer.Outbox;
using CallServer.Tests.Infrastructure;
using CallServer.Ports;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CallServer.Tests.Shell;

/// <summary>
/// The retry loops of <see cref="CallService"/> on the in-memory stores, with a store decorator that loses
/// races on demand: a create the store refuses at the caller's limit is decided again on the calls in
/// progress counted then; an update that loses its compare-and-set is decided again on the version that
/// won; after 64 lost races the command fails <see cref="ErrorCode.Unavailable"/>. A command and the
/// follow-ups it asks for are one save (<see cref="FoldedDecision"/>), their events sent step by step.
/// </summary>
public sealed class CallServiceTests : IDisposable
{
    private const string Domain = "callserver.local";

    private readonly FakeTimeProvider clock = new(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero));
    private readonly RacingCallStore store;
    private readonly CallServerMetrics metrics = new(new LocalConnections());
    private readonly CallService service;
    private readonly CallerIdentity alice = Identity("alice");
    private readonly InMemoryPresence presence = new();
    private readonly RecordingDevices devices = new();

    public CallServiceTests()
    {
        var calls = Options.Create(new CallsOptions { DefaultDomain = Domain, MaxCallsPerCaller = 1 });
        store = new RacingCallStore(new InMemoryCallStore(calls, clock, new InMemoryTimerQueue(), new InMemoryOutbox(clock)));
        var users = new InMemoryUserDirectory();
        foreach (var name in new[] { "alice", "bob", "carol" })
        {
            users.TryAddAsync(new UserAccount(name, Address.Parse(name, Domain), "not a hash", [], clock.GetUtcNow())).GetAwaiter().GetResult();
        }

        var directory = new CallDirectory(new RecentUsers(users, clock), presence, new InMemoryPushRegistrationStore(), store, calls, Options.Create(new PstnOptions()));
        service = new CallService(
            store,
            directory,
            new CallNotifier(devices, NullLogger<CallNotifier>.Instance),
            calls,
            clock,
            metrics,
            new OutboxSignal(),
            Options.Create(new WebhooksOptions()),
            NullLogger<CallService>.Instance);
    }

    [Fact]
    public async Task A_create_refused_because_a_rival_took_the_last_place_is_decided_again_and_created_when_the_rival_ended_meanwhile()
    {
        string? rival = null;
        store.BeforeCreate = async () => rival = (await service.CreateAsync(alice, "device-2", "carol")).CallId;
        store.BeforeCount = () => service.ExecuteAsync(rival!, new EndCall(new Requester(alice.Account, "device-2")));

        var created = await service.CreateAsync(alice, "device-1", "bob");

        Assert.Equal(2, store.CreatesOf("bob").Count); // refused, then saved
        Assert.Equal(1, store.Counts); // the calls in progress counted once, after the refusal only
        var stored = await store.GetAsync(created.CallId);
        Assert.NotNull(stored);
        Assert.Equal(CallPhase.Initial, stored.Phase);
        Assert.Equal(1, await store.CountCallsInProgressAsync(alice.Account));
    }

    [Fact]
    public async Task A_create_refused_because_a_rival_took_the_last_place_is_refused_RateLimited_when_the_caller_is_at_its_limit()
    {
        string? rival = null;
        store.BeforeCreate = async () => rival = (await service.CreateAsync(alice, "device-2", "carol")).CallId;

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => service.CreateAsync(alice, "device-1", "bob"));

        Assert.Equal(ErrorCode.RateLimited, refused.Error.Code);
        Assert.Single(store.CreatesOf("bob")); // decided again on the count, not sent to the store again
        Assert.Equal(1, store.Counts);
        var active = await store.GetActiveCallsOfAsync(alice.Account);
        Assert.Equal(rival, Assert.Single(active).CallId);
    }

    [Fact]
    public async Task A_create_the_store_refuses_64_times_fails_Unavailable()
    {
        store.RefuseCreates = true;

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => service.CreateAsync(alice, "device-1", "bob"));

        Assert.Equal(ErrorCode.Unavailable, refused.Error.Code);
        Assert.Equal(64, store.CreatesOf("bob").Count);
        Assert.Equal(63, store.Counts);
    }

    [Fact]
    public async Task An_update_that_loses_its_compare_and_set_is_decided_again_on_the_version_that_won()
    {
        var callId = (await service.CreateAsync(alice, "device-1", "bob")).CallId;
        var before = (await store.GetAsync(callId))!.Version;
        store.BeforeUpdate = () => store.RivalChangeAsync(callId, once: true);

        var ended = await service.ExecuteAsync(callId, new EndCall(new Requester(alice.Account, "device-1")));

        Assert.Equal([before, before + 1], store.UpdatesOf(callId).Select(change => change.ExpectedVersion));
        Assert.Equal(before + 2, ended.Version);
        Assert.Equal(CallPhase.Ended, ended.Phase);
        Assert.Equal("changed by a rival", ended.Caller.DisplayName); // the rival's change is kept: decided on its version
        Assert.Equal(ended, await store.GetAsync(callId));
    }

    [Fact]
    public async Task An_update_that_loses_64_races_fails_Unavailable_and_changes_nothing_more()
    {
        var callId = (await service.CreateAsync(alice, "device-1", "bob")).CallId;
        var before = (await store.GetAsync(callId))!.Version;
        store.BeforeUpdate = () => store.RivalChangeAsync(callId, once: false);

        var refused = await Assert.ThrowsAsync<CallRefusedException>(() => service.ExecuteAsync(callId, new EndCall(new Requester(alice.Account, "device-1"))));

        Assert.Equal(ErrorCode.Unavailable, refused.Error.Code);
        var attempts = store.UpdatesOf(callId);
        Assert.Equal(64, attempts.Count);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => before + i), attempts.Select(change => change.ExpectedVersion)); // each from the version that won the last
        var stored = (await store.GetAsync(callId))!;
        Assert.Equal(before + 64, stored.Version); // the rival's 64 changes, none of the command's
        Assert.NotEqual(CallPhase.Ended, stored.Phase);
    }

    [Fact]
    public async Task EstablishCall_and_its_MarkAlerted_are_one_save_and_the_caller_sees_Dialing_then_Ringing()
    {
        await presence.AddAsync(Address.Parse("bob", Domain), "bob-phone");
        var callId = (await service.CreateAsync(alice, "device-1", "bob")).CallId;
        var created = (await store.GetAsync(callId))!.Version;

        await service.EstablishAsync(callId, new Requester(alice.Account, "device-1"), Sdp.Audio());

        var save = Assert.Single(store.UpdatesOf(callId));
        Assert.Equal(created, save.ExpectedVersion);
        Assert.Equal(CallPhase.Ringing, save.Call.Phase); // Dialing is never stored
        Assert.Equal(created + 2, save.Call.Version); // yet it is a version of its own, with its own events
        Assert.Equal(save.Call, await store.GetAsync(callId));
        Assert.Contains(save.Timers, timer => timer.Kind == CallTimerKind.Ring);

        Assert.Equal(
            [("device-1", "CallStatusChanged", "Dialing", created + 1), ("bob-phone", "IncomingCall", "Ringing", created + 1), ("device-1", "CallStatusChanged", "Ringing", created + 2)],
            devices.Sent(callId));
    }

    [Fact]
    public async Task AcceptCall_and_its_CompleteAnswer_are_one_save_and_both_parties_see_InCall_after_the_answer()
    {
        await presence.AddAsync(Address.Parse("bob", Domain), "bob-phone");
        var callId = (await service.CreateAsync(alice, "device-1", "bob")).CallId;
        await service.EstablishAsync(callId, new Requester(alice.Account, "device-1"), Sdp.Audio());
        var ringing = (await store.GetAsync(callId))!.Version;
        devices.Clear();

        var accepted = await service.ExecuteAsync(callId, new AcceptCall(new Requester(Address.Parse("bob", Domain), "bob-phone"), Sdp.Audio()));

        Assert.Equal(CallPhase.Connected, accepted.Phase); // the call after the follow-up is what the command returns
        var save = store.UpdatesOf(callId)[^1];
        Assert.Equal(2, store.UpdatesOf(callId).Count); // establish, accept: one save each
        Assert.Equal(ringing, save.ExpectedVersion);
        Assert.Equal(accepted, save.Call);
        Assert.Equal(
            [("bob-phone", "CallStatusChanged", "Answering", ringing + 1), ("device-1", "RemoteDescription", null, null), ("device-1", "CallStatusChanged", "InCall", ringing + 2), ("bob-phone", "CallStatusChanged", "InCall", ringing + 2)],
            devices.Sent(callId));
    }

    [Fact]
    public async Task A_command_and_its_folded_follow_up_race_as_one_and_are_decided_again_together_on_the_version_that_won()
    {
        await presence.AddAsync(Address.Parse("bob", Domain), "bob-phone");
        var callId = (await service.CreateAsync(alice, "device-1", "bob")).CallId;
        var created = (await store.GetAsync(callId))!.Version;
        store.BeforeUpdate = () => store.RivalChangeAsync(callId, once: true);

        await service.EstablishAsync(callId, new Requester(alice.Account, "device-1"), Sdp.Audio());

        Assert.Equal([created, created + 1], store.UpdatesOf(callId).Select(change => change.ExpectedVersion));
        var stored = (await store.GetAsync(callId))!;
        Assert.Equal((CallPhase.Ringing, created + 3), (stored.Phase, stored.Version));
        Assert.Equal("changed by a rival", stored.Caller.DisplayName);
        Assert.Equal(["Dialing", "Ringing"], devices.Sent(callId).Where(e => e.Device == "device-1").Select(e => e.State));
    }

    public void Dispose() => metrics.Dispose();

    private static CallerIdentity Identity(string name) => new(Address.Parse(name, Domain), false, null, name);

    /// <summary>Every device is connected: the events sent, in order.</summary>
    private sealed class RecordingDevices : IDeviceMessenger
    {
        private readonly Lock gate = new();
        private readonly List<(string Device, string Method, object?[] Arguments)> sent = [];

        public Task SendAsync(string deviceId, string method, object?[] arguments, CancellationToken cancellationToken = default)
        {
            lock (gate)
            {
                sent.Add((deviceId, method, arguments));
            }

            return Task.CompletedTask;
        }

        public void Clear()
        {
            lock (gate)
            {
                sent.Clear();
            }
        }

        /// <summary>The events of <paramref name="callId"/>: device, method, and the snapshot's state and sequence (null for other events).</summary>
        public List<(string Device, string Method, string? State, long? Sequence)> Sent(string callId)
        {
            lock (gate)
            {
                return [.. sent
                    .Where(e => e.Arguments.Any(a => a is CallSnapshot snapshot ? snapshot.CallId == callId : Equals(a, callId)))
                    .Select(e => e.Arguments.OfType<CallSnapshot>().FirstOrDefault() is { } snapshot
                        ? (e.Device, e.Method, (string?)snapshot.State.ToString(), (long?)snapshot.Sequence)
                        : (e.Device, e.Method, null, null))];
            }
        }
    }

    /// <summary>
    /// The in-memory call store with races on demand: <see cref="BeforeCreate"/> and <see cref="BeforeCount"/>
    /// run once, just before the next create is saved and the next count is made; <see cref="BeforeUpdate"/>
    /// runs before every update is saved (a rival writing first). Every save is recorded, saved or not.
    /// </summary>
    private sealed class RacingCallStore(InMemoryCallStore inner) : ICallStore
    {
        public string NewCallId(Address caller) => inner.NewCallId(caller);

        private readonly Lock gate = new();
        private readonly List<CallChange> saves = [];
        private int counts;
        private bool rivalDone;

        public Func<Task>? BeforeCreate { get; set; }

        public Func<Task>? BeforeCount { get; set; }

        public Func<Task>? BeforeUpdate { get; set; }

        /// <summary>Every create is refused, as at the caller's limit, while the count says there is room.</summary>
        public bool RefuseCreates { get; set; }

        public int Counts => Volatile.Read(ref counts);

        /// <summary>The creates of a call to <paramref name="callee"/> sent to the store.</summary>
        public IReadOnlyList<CallChange> CreatesOf(string callee)
        {
            lock (gate)
            {
                return [.. saves.Where(change => change.IsCreate && change.Call.Callee.Address.Value.StartsWith(callee + "@", StringComparison.Ordinal))];
            }
        }

        /// <summary>The updates of <paramref name="callId"/> sent to the store by the service (not the rival's).</summary>
        public IReadOnlyList<CallChange> UpdatesOf(string callId)
        {
            lock (gate)
            {
                return [.. saves.Where(change => !change.IsCreate && change.Call.CallId == callId)];
            }
        }

        /// <summary>Another writer changes the stored call first (a new version, the caller renamed); with <paramref name="once"/>, only the first time.</summary>
        public async Task RivalChangeAsync(string callId, bool once)
        {
            if (once && rivalDone)
            {
                return;
            }

            rivalDone = true;
            var stored = (await inner.GetAsync(callId))!;
            var changed = stored with { Version = stored.Version + 1, Caller = stored.Caller with { DisplayName = "changed by a rival" } };
            Assert.True(await inner.TrySaveAsync(CallChange.Update(changed, stored.Version)));
        }

        public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) => inner.GetAsync(callId, cancellationToken);

        public Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default) => inner.GetLastSeenAsync(callId, cancellationToken);

        public async Task<bool> TrySaveAsync(CallChange change, CancellationToken cancellationToken = default)
        {
            lock (gate)
            {
                saves.Add(change);
            }

            if (change.IsCreate)
            {
                if (Take(() => BeforeCreate, () => BeforeCreate = null) is { } beforeCreate)
                {
                    await beforeCreate();
                }

                if (RefuseCreates)
                {
                    return false;
                }
            }
            else if (BeforeUpdate is { } beforeUpdate)
            {
                await beforeUpdate();
            }

            return await inner.TrySaveAsync(change, cancellationToken);
        }

        public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default) => inner.GetActiveCallsOfAsync(account, cancellationToken);

        public async Task<int> CountCallsInProgressAsync(Address caller, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref counts);
            if (Take(() => BeforeCount, () => BeforeCount = null) is { } beforeCount)
            {
                await beforeCount();
            }

            return await inner.CountCallsInProgressAsync(caller, cancellationToken);
        }

        public Task PingAsync(CancellationToken cancellationToken = default) => inner.PingAsync(cancellationToken);

        private Func<Task>? Take(Func<Func<Task>?> read, Action clear)
        {
            lock (gate)
            {
                var hook = read();
                clear();
                return hook;
            }
        }
    }
}
