using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;

namespace CallServer.Domain.Tests;

/// <summary>
/// Drives one call through the pure decider the way the application does: decide, keep the new call,
/// then apply the follow-up commands (after the notifications went out). Holds the cast of the tests.
/// </summary>
internal sealed class CallScenario
{
    public const string Domain = "example.com";

    public static readonly Address Alice = Addr("alice");
    public static readonly Address Bob = Addr("bob");
    public static readonly Address Carol = Addr("carol");
    public static readonly Address Dave = Addr("dave");
    public static readonly Address Eve = Addr("eve");
    public static readonly Address Gateway = Addr("pstn-gateway");
    public static readonly Address Anonymous = Addr("anonymous-5e1f");
    public static readonly Address Phone = Addr("tel:+15551234567");

    public static readonly Requester AlicePhone = new(Alice, "alice-phone");
    public static readonly Requester AliceLaptop = new(Alice, "alice-laptop");
    public static readonly Requester BobPhone = new(Bob, "bob-phone");
    public static readonly Requester BobLaptop = new(Bob, "bob-laptop");
    public static readonly Requester BobTablet = new(Bob, "bob-tablet");
    public static readonly Requester CarolPhone = new(Carol, "carol-phone");
    public static readonly Requester CarolLaptop = new(Carol, "carol-laptop");
    public static readonly Requester EvePhone = new(Eve, "eve-phone");
    public static readonly Requester GatewayTrunk = new(Gateway, "gateway-trunk");
    public static readonly Requester AnonymousBrowser = new(Anonymous, "anon-browser");

    public static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    public static readonly DeciderSettings Settings = DeciderSettings.Default;

    public static readonly CallerProfile RegisteredCaller = new(IsAnonymous: false, HasTelephoneNumber: true, AllowedCallees: null, DisplayName: "Alice A.");
    public static readonly CallerProfile CallerWithoutNumber = RegisteredCaller with { HasTelephoneNumber = false };

    public const string CallId = "call-1";

    private CallScenario(Call call)
    {
        Call = call;
    }

    public Call Call { get; private set; }

    public DateTimeOffset Now { get; private set; } = T0;

    /// <summary>Every decision taken so far, follow-ups included, in order.</summary>
    public List<Decision> History { get; } = [];

    public static Address Addr(string text) => Address.Parse(text, Domain);

    public static CalleeLookup Devices(Address account, params Requester[] devices) =>
        new(account, devices.Select(d => d.DeviceId!).ToList());

    public static CalleeLookup BobsDevices(params Requester[] devices) =>
        Devices(Bob, devices.Length == 0 ? [BobPhone, BobLaptop] : devices);

    public static CreateCall CreateCommand(Address? callee, CalleeLookup? lookup = null, CallerProfile? profile = null, Requester? requester = null) =>
        new(CallId, requester ?? AlicePhone, profile ?? RegisteredCaller, callee, lookup ?? (callee is null ? CalleeLookup.NotFound : new CalleeLookup(callee, [])));

    /// <summary>A call from alice-phone to <paramref name="callee"/> (bob by default), in Initial.</summary>
    public static CallScenario Created(Address? callee = null, CalleeLookup? lookup = null, CallerProfile? profile = null, Requester? caller = null)
    {
        var decision = CallDecider.Create(CreateCommand(callee ?? Bob, lookup, profile, caller), T0);
        Assert.Null(decision.Error);
        Assert.NotNull(decision.Call);
        var scenario = new CallScenario(decision.Call);
        scenario.History.Add(decision);
        return scenario;
    }

    /// <summary>A scenario on <paramref name="call"/>, decided elsewhere (a transfer's new call).</summary>
    public static CallScenario Of(Call call) => new(call);

    /// <summary>Created and established with <paramref name="offer"/>; the devices were alerted (Ringing).</summary>
    public static CallScenario Ringing(string? offer = null, params Requester[] devices)
    {
        var scenario = Created();
        scenario.Do(new EstablishCall(AlicePhone, offer ?? TestSdp.AudioOffer, BobsDevices(devices)));
        return scenario;
    }

    /// <summary>Ringing on bob-phone and bob-laptop, accepted on bob-phone, answer delivered (InCall).</summary>
    public static CallScenario InCall(string? offer = null, string? answer = null)
    {
        var scenario = Ringing(offer);
        scenario.Do(new AcceptCall(BobPhone, answer ?? TestSdp.Answer()));
        return scenario;
    }

    public void Advance(TimeSpan by) => Now += by;

    /// <summary>Decides <paramref name="command"/>, which must be taken; applies its follow-ups unless told not to.</summary>
    /// <summary>Applies <paramref name="command"/> (it must be taken) and returns this scenario, to build starting points.</summary>
    public CallScenario Then(CallCommand command, bool followUps = true)
    {
        Do(command, followUps);
        return this;
    }

    public Decision Do(CallCommand command, bool followUps = true)
    {
        var before = Call;
        var decision = CallDecider.Decide(before, command, Settings, Now);
        Assert.True(decision.Error is null, $"{command} was refused: {decision.Error}");
        Assert.NotNull(decision.Call);
        Assert.Equal(decision.Changed ? before.Version + 1 : before.Version, decision.Call.Version);
        Call = decision.Call;
        History.Add(decision);
        if (followUps)
        {
            foreach (var followUp in decision.FollowUps)
            {
                Do(followUp);
            }
        }

        return decision;
    }

    /// <summary>Decides <paramref name="command"/>, which must be refused with <paramref name="code"/> and change nothing.</summary>
    public DomainError Refuse(CallCommand command, ErrorCode code)
    {
        var before = Call;
        var views = AllViews();
        var decision = CallDecider.Decide(before, command, Settings, Now);
        Assert.True(decision.Error is not null, $"{command} was taken, expected {code}");
        Assert.Equal(code, decision.Error.Code);
        Assert.True(decision.IsRefused);
        Assert.Null(decision.Call);
        Assert.False(decision.Changed);
        Assert.Empty(decision.Notifications);
        Assert.Empty(decision.Timers);
        Assert.Empty(decision.FollowUps);
        Assert.StartsWith(code + ": ", decision.Error.ToString(), StringComparison.Ordinal);

        // The call the application holds is untouched, and so is what every party sees of it.
        Assert.Same(before, Call);
        Assert.Equal(views, AllViews());
        return decision.Error;
    }

    /// <summary>Decides <paramref name="command"/>, which must be taken without changing the call.</summary>
    public Decision Unchanged(CallCommand command)
    {
        var before = Call;
        var decision = CallDecider.Decide(before, command, Settings, Now);
        Assert.Null(decision.Error);
        Assert.False(decision.Changed);
        Assert.Same(before, decision.Call);
        Assert.Empty(decision.Timers);
        Assert.Empty(decision.FollowUps);
        return decision;
    }

    public CallSnapshot CallerView => CallProjection.View(Call, CallViewer.CallerOf(Call));

    public CallSnapshot View(Requester device) =>
        device.Account == Call.Caller.Account
            ? CallProjection.View(Call, CallViewer.CallerOf(Call))
            : CallProjection.View(Call, CallViewer.CalleeDevice(device.DeviceId!));

    /// <summary>The caller's view and every alerted device's view, keyed by device.</summary>
    public IReadOnlyList<(string Device, CallSnapshot View)> AllViews() =>
        [
            (Call.Caller.DeviceId ?? "caller", CallProjection.View(Call, CallViewer.CallerOf(Call))),
            .. Call.Devices.Select(d => (d.DeviceId, CallProjection.View(Call, CallViewer.CalleeDevice(d.DeviceId)))),
        ];

    public void AssertState(Requester device, CallState state, EndReason? reason = null, int? statusCode = null)
    {
        var view = View(device);
        Assert.True(
            (state, reason, statusCode) == (view.State, view.EndReason, view.StatusCode),
            $"{device.DeviceId} sees {view.State}/{view.EndReason}/{view.StatusCode}, expected {state}/{reason}/{statusCode}");
        Assert.Equal(Call.Version, view.Sequence);
        if (state == CallState.Ended)
        {
            Assert.NotNull(view.EndedAt);
        }
    }

    /// <summary>"Kind->device" for each notification, e.g. <c>CallStatusChanged->bob-phone</c>.</summary>
    public static string Describe(CallNotification notification)
    {
        var kind = notification.GetType().Name.Replace("Notification", string.Empty, StringComparison.Ordinal);
        return $"{kind}->{notification.To.DeviceId ?? notification.To.Side.ToString()}";
    }

    /// <summary>The notifications of <paramref name="decision"/> are exactly <paramref name="expected"/> (in any order).</summary>
    public static void AssertNotified(Decision decision, params string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal), decision.Notifications.Select(Describe).Order(StringComparer.Ordinal));

    public static T Single<T>(Decision decision)
        where T : CallNotification =>
        Assert.Single(decision.Notifications.OfType<T>());

    /// <summary>Requests for the hub methods, as short helpers.</summary>
    public static StartMediaOperation Hold(Requester by, string operationId = "op-hold", string? sdp = null) =>
        new(by, MediaOperation.HoldCall, operationId, sdp ?? TestSdp.HoldOffer);

    public static StartMediaOperation Unhold(Requester by, string operationId = "op-unhold", string? sdp = null) =>
        new(by, MediaOperation.UnholdCall, operationId, sdp ?? TestSdp.UnholdOffer);

    public static StartMediaOperation VideoStart(Requester by, string operationId = "op-video-start", string? sdp = null) =>
        new(by, MediaOperation.VideoStart, operationId, sdp ?? TestSdp.VideoOffer);

    public static StartMediaOperation VideoStop(Requester by, string operationId = "op-video-stop", string? sdp = null) =>
        new(by, MediaOperation.VideoStop, operationId, sdp ?? TestSdp.Offer(video: "inactive"));

    public static ForwardCall Forward(Requester by, Address? target, CalleeLookup lookup) =>
        new(by, target?.Value ?? "???", target, lookup);

    public static ForwardCall ForwardTo(Requester by, Address target, params Requester[] devices) =>
        Forward(by, target, Devices(target, devices));

    public static IceCandidate Candidate(int n = 1, string mid = "0") =>
        new($"candidate:84259{n} 1 udp 2122260223 192.168.1.{n % 250} 5{n:0000} typ host generation 0 ufrag Xq7b network-id 1", mid, 0);

    /// <summary>Makes bob (on bob-phone) answer the pending operation with <paramref name="answer"/>.</summary>
    public Decision AnswerPending(Requester by, string? answer = null)
    {
        var pending = Call.PendingOperation;
        Assert.NotNull(pending);
        return Do(new AnswerRenegotiation(by, pending.OperationId, answer ?? TestSdp.Answer()));
    }
}
