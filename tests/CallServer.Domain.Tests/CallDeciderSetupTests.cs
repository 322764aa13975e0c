using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;
using CallServer.Domain.Sdp;
using CallServer.Domain.Views;
using static CallServer.Domain.Tests.CallScenario;

namespace CallServer.Domain.Tests;

/// <summary>CreateOutgoingCall, EstablishCall, ringing (rules 2, 6, 11, 15).</summary>
public sealed class CallDeciderSetupTests
{
    public enum CallerKind
    {
        Registered,
        RegisteredWithoutNumber,
        Anonymous,
        AnonymousAllowedBob,
        AnonymousAllowedCarol,
    }

    public enum LookupKind
    {
        /// <summary>The directory knows the callee (bob's devices) or the gateway for tel:.</summary>
        Found,
        NotFound,
    }

    private static CallerProfile Profile(CallerKind kind) => kind switch
    {
        CallerKind.Registered => RegisteredCaller,
        CallerKind.RegisteredWithoutNumber => CallerWithoutNumber,
        CallerKind.Anonymous => new CallerProfile(true, false, null, "Web visitor"),
        CallerKind.AnonymousAllowedBob => new CallerProfile(true, false, new HashSet<Address> { Bob }, null),
        _ => new CallerProfile(true, false, new HashSet<Address> { Carol }, null),
    };

    private static Requester RequesterOf(CallerKind kind) =>
        kind is CallerKind.Registered or CallerKind.RegisteredWithoutNumber ? AlicePhone : AnonymousBrowser;

    [Theory]
    // callee text (null: did not parse), caller, directory → expected refusal
    [InlineData(null, CallerKind.Registered, LookupKind.NotFound, ErrorCode.InvalidAddress)]
    [InlineData("anonymous-99@example.com", CallerKind.Registered, LookupKind.NotFound, ErrorCode.Forbidden)]
    [InlineData("anonymous-99@example.com", CallerKind.Anonymous, LookupKind.NotFound, ErrorCode.Forbidden)]
    [InlineData("tel:+15551234567", CallerKind.Anonymous, LookupKind.Found, ErrorCode.Forbidden)]
    [InlineData("tel:+15551234567", CallerKind.AnonymousAllowedBob, LookupKind.Found, ErrorCode.Forbidden)]
    [InlineData("tel:+15551234567", CallerKind.RegisteredWithoutNumber, LookupKind.Found, ErrorCode.Forbidden)]
    [InlineData("tel:+15551234567", CallerKind.RegisteredWithoutNumber, LookupKind.NotFound, ErrorCode.Forbidden)]
    [InlineData("dave@example.com", CallerKind.Registered, LookupKind.NotFound, ErrorCode.CalleeNotFound)]
    [InlineData("dave@example.com", CallerKind.Anonymous, LookupKind.NotFound, ErrorCode.Forbidden)] // an anonymous caller is not told which users exist
    [InlineData("bob@example.com", CallerKind.AnonymousAllowedCarol, LookupKind.Found, ErrorCode.Forbidden)]
    [InlineData("alice@example.com", CallerKind.Registered, LookupKind.Found, ErrorCode.InvalidArgument)]
    [InlineData("ALICE@example.com", CallerKind.Registered, LookupKind.Found, ErrorCode.InvalidArgument)]
    public void Create_refusals(string? callee, CallerKind caller, LookupKind lookup, ErrorCode expected)
    {
        var address = callee is null ? null : Addr(callee);
        var ringAccount = address?.Kind == AddressKind.Telephone ? Gateway : address;
        var command = new CreateCall(
            CallId,
            RequesterOf(caller),
            Profile(caller),
            address,
            lookup == LookupKind.Found ? new CalleeLookup(ringAccount, ["some-device"]) : CalleeLookup.NotFound);

        var decision = CallDecider.Create(command, T0);

        Assert.Equal(expected, decision.Error?.Code);
        Assert.Null(decision.Call);
        Assert.False(decision.Changed);
        Assert.Empty(decision.Notifications);
    }

    /// <summary>
    /// Rule 11: an anonymous caller may call only the users its token allows. Any other callee is
    /// Forbidden, whether or not such a user exists; answering CalleeNotFound for unknown users (and
    /// Forbidden for known ones) lets a restricted token enumerate the registered users.
    /// </summary>
    [Theory]
    [InlineData("carol@example.com", true)]
    [InlineData("dave@example.com", false)]
    [InlineData("nobody-at-all@example.com", false)]
    public void An_anonymous_caller_restricted_by_its_token_gets_Forbidden_for_any_other_callee_existing_or_not(string callee, bool exists)
    {
        var address = Addr(callee);
        var command = new CreateCall(
            CallId,
            AnonymousBrowser,
            Profile(CallerKind.AnonymousAllowedBob),
            address,
            exists ? Devices(address, CarolPhone) : CalleeLookup.NotFound);

        var decision = CallDecider.Create(command, T0);

        Assert.Equal(ErrorCode.Forbidden, decision.Error?.Code);
        Assert.Null(decision.Call);
    }

    [Fact]
    public void Create_arms_a_setup_timer_that_fails_a_call_never_established()
    {
        var created = CallDecider.Create(CreateCommand(Bob, BobsDevices()), Settings, T0);
        var timer = Assert.Single(created.Timers);
        Assert.Equal(CallTimerKind.Setup, timer.Kind);
        Assert.Equal(T0 + Settings.RingTimeout, timer.DueAt);

        var fired = CallDecider.Decide(created.Call!, new TimerElapsed(CallTimerKind.Setup, timer.Token), Settings, timer.DueAt);
        var view = CallProjection.View(fired.Call!, CallViewer.CallerOf(fired.Call!));
        Assert.Equal(CallState.Ended, view.State);
        Assert.Equal(EndReason.Failed, view.EndReason);
        Assert.Equal(CallStatusCodes.OperationTimeout, view.StatusCode);
    }

    [Fact]
    public void The_setup_timer_of_an_established_call_does_nothing()
    {
        var s = Ringing();
        var fired = CallDecider.Decide(s.Call, new TimerElapsed(CallTimerKind.Setup, string.Empty), Settings, T0 + Settings.RingTimeout);
        Assert.False(fired.Changed);
        Assert.Empty(fired.Notifications);
    }

    [Fact]
    public void A_caller_with_too_many_calls_in_progress_is_rate_limited()
    {
        var busy = RegisteredCaller with { CallsInProgress = Settings.MaxCallsPerCaller };
        var decision = CallDecider.Create(CreateCommand(Bob, BobsDevices(), busy), Settings, T0);
        Assert.Equal(ErrorCode.RateLimited, decision.Error?.Code);
        Assert.Null(decision.Call);

        var oneLess = RegisteredCaller with { CallsInProgress = Settings.MaxCallsPerCaller - 1 };
        Assert.Null(CallDecider.Create(CreateCommand(Bob, BobsDevices(), oneLess), Settings, T0).Error);
    }

    [Fact]
    public void The_pstn_gateway_cannot_ring_itself_through_a_telephone_number()
    {
        var decision = CallDecider.Create(CreateCommand(Phone, Devices(Gateway, GatewayTrunk), requester: GatewayTrunk), Settings, T0);
        Assert.Equal(ErrorCode.InvalidArgument, decision.Error?.Code);
        Assert.Null(decision.Call);
    }

    [Fact]
    public void Before_the_offer_the_callee_is_no_party_of_the_call()
    {
        var s = Created();
        Assert.Null(CallDecider.ViewerFor(s.Call, BobPhone));
        Assert.Null(CallDecider.SideOf(s.Call, Bob));
    }

    [Fact]
    public void Create_from_a_rest_request_without_a_device_is_refused()
    {
        var decision = CallDecider.Create(CreateCommand(Bob, BobsDevices(), requester: new Requester(Alice, null)), T0);
        Assert.Equal(ErrorCode.InvalidArgument, decision.Error?.Code);
        Assert.Null(decision.Call);
    }

    [Theory]
    [InlineData("bob@example.com", CallerKind.Registered)]
    [InlineData("bob@example.com", CallerKind.RegisteredWithoutNumber)]
    [InlineData("bob@example.com", CallerKind.Anonymous)]
    [InlineData("bob@example.com", CallerKind.AnonymousAllowedBob)]
    [InlineData("tel:+15551234567", CallerKind.Registered)]
    public void Create_allowed(string callee, CallerKind caller)
    {
        var address = Addr(callee);
        var lookup = address.Kind == AddressKind.Telephone ? Devices(Gateway, GatewayTrunk) : BobsDevices();
        var requester = RequesterOf(caller);
        var decision = CallDecider.Create(new CreateCall(CallId, requester, Profile(caller), address, lookup), T0);

        Assert.Null(decision.Error);
        Assert.True(decision.Changed);
        Assert.Empty(decision.Notifications);
        var call = Assert.IsType<Call>(decision.Call);
        Assert.Equal(1, call.Version);
        Assert.Equal(CallPhase.Initial, call.Phase);
        var view = CallProjection.View(call, CallViewer.CallerOf(call));
        Assert.Equal(CallState.Initial, view.State);
        Assert.Equal(CallDirection.Outgoing, view.Direction);
        Assert.Equal(requester.Account.Value, view.LocalAddress);
        Assert.Equal(callee, view.RemoteAddress);
        Assert.Null(view.EndReason);
        Assert.Null(view.StatusCode);
        Assert.Null(view.OfferKind);
        Assert.Equal(1, view.Sequence);
        Assert.Equal(T0, view.CreatedAt);
        Assert.Null(view.EndedAt);
    }

    [Fact]
    public void Establish_rings_every_device_of_the_callee()
    {
        var s = Created();
        var decision = s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobsDevices(BobPhone, BobLaptop, BobTablet)), followUps: false);

        Assert.Equal(2, s.Call.Version);
        s.AssertState(AlicePhone, CallState.Dialing);
        s.AssertState(BobPhone, CallState.Ringing);
        s.AssertState(BobLaptop, CallState.Ringing);
        s.AssertState(BobTablet, CallState.Ringing);
        AssertNotified(
            decision,
            "CallStatusChanged->alice-phone",
            "IncomingCall->bob-phone",
            "IncomingCall->bob-laptop",
            "IncomingCall->bob-tablet");
        Assert.All(decision.Notifications.OfType<IncomingCallNotification>(), n => Assert.Equal(TestSdp.AudioOffer, n.SdpOffer));
        var timer = Assert.Single(decision.Timers);
        Assert.Equal(CallTimerKind.Ring, timer.Kind);
        Assert.Equal(T0 + Settings.RingTimeout, timer.DueAt);
        Assert.Equal(new MarkAlerted(s.Call.RingGeneration), Assert.Single(decision.FollowUps));

        // What each device is shown: the incoming side of the same call.
        var bobsView = s.View(BobPhone);
        Assert.Equal(CallDirection.Incoming, bobsView.Direction);
        Assert.Equal("bob@example.com", bobsView.LocalAddress);
        Assert.Equal("alice@example.com", bobsView.RemoteAddress);
        Assert.Equal("Alice A.", bobsView.RemoteDisplayName);
        Assert.Equal(OfferKind.Audio, bobsView.OfferKind);

        // The application applies MarkAlerted once the IncomingCall events went out: Dialing → Ringing.
        var alerted = s.Do(decision.FollowUps[0]);
        Assert.Equal(3, s.Call.Version);
        s.AssertState(AlicePhone, CallState.Ringing);
        s.AssertState(BobPhone, CallState.Ringing);
        AssertNotified(alerted, "CallStatusChanged->alice-phone");

        // Applied again (a retry), it changes nothing.
        s.Unchanged(new MarkAlerted(s.Call.RingGeneration));
    }

    [Fact]
    public void Establish_lists_a_device_once_even_when_the_directory_repeats_it()
    {
        var s = Created();
        s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobsDevices(BobPhone, BobPhone, BobLaptop)));
        Assert.Equal(["bob-phone", "bob-laptop"], s.Call.Devices.Select(d => d.DeviceId));
    }

    [Theory]
    [InlineData("audio", OfferKind.Audio, false)]
    [InlineData("audio+inactive-video", OfferKind.AudioWithInactiveVideo, false)]
    [InlineData("video", OfferKind.Video, true)]
    public void The_offer_decides_the_kind_of_call(string offer, OfferKind kind, bool callerVideo)
    {
        var sdp = offer switch
        {
            "audio" => TestSdp.AudioOffer,
            "audio+inactive-video" => TestSdp.AudioWithInactiveVideoOffer,
            _ => TestSdp.VideoOffer,
        };
        var s = Ringing(sdp);
        Assert.Equal(kind, s.CallerView.OfferKind);
        Assert.Equal(kind, s.View(BobLaptop).OfferKind);
        Assert.Equal(callerVideo, s.CallerView.Media.LocalVideo);
        Assert.Equal(callerVideo, s.View(BobPhone).Media.RemoteVideo);
        Assert.Equal(sdp, s.Call.Offer);
    }

    [Fact]
    public void Establish_with_no_connected_device_ends_the_call_Unavailable()
    {
        var s = Created();
        var decision = s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, Devices(Bob)));

        s.AssertState(AlicePhone, CallState.Ended, EndReason.Unavailable, CallStatusCodes.Unavailable);
        Assert.Equal(CallPhase.Ended, s.Call.Phase);
        Assert.Equal(EndReason.Unavailable, s.Call.Callee.End?.Reason);
        Assert.Equal(T0, s.CallerView.EndedAt);
        AssertNotified(decision, "CallStatusChanged->alice-phone");
        Assert.Empty(decision.Timers);
        Assert.Empty(decision.FollowUps);
        s.Refuse(new EndCall(AlicePhone), ErrorCode.InvalidState);
    }

    [Fact]
    public void Calling_a_telephone_number_without_a_gateway_ends_Unavailable()
    {
        var s = Created(Phone, CalleeLookup.NotFound);
        Assert.Equal("tel:+15551234567", s.CallerView.RemoteAddress);
        var decision = s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, CalleeLookup.NotFound));

        s.AssertState(AlicePhone, CallState.Ended, EndReason.Unavailable, 480);
        AssertNotified(decision, "CallStatusChanged->alice-phone");
    }

    [Fact]
    public void Calling_a_telephone_number_rings_the_gateway_and_shows_the_number()
    {
        var s = Created(Phone, Devices(Gateway, GatewayTrunk));
        var decision = s.Do(new EstablishCall(AlicePhone, TestSdp.AudioOffer, Devices(Gateway, GatewayTrunk)));

        AssertNotified(decision, "CallStatusChanged->alice-phone", "IncomingCall->gateway-trunk");
        s.AssertState(AlicePhone, CallState.Ringing);
        s.AssertState(GatewayTrunk, CallState.Ringing);
        Assert.Equal("tel:+15551234567", s.CallerView.RemoteAddress);
        Assert.Equal("tel:+15551234567", s.View(GatewayTrunk).LocalAddress);

        s.Do(new AcceptCall(GatewayTrunk, TestSdp.Answer()));
        s.AssertState(AlicePhone, CallState.InCall);
        s.AssertState(GatewayTrunk, CallState.InCall);
        Assert.Equal("tel:+15551234567", s.CallerView.RemoteAddress);
    }

    [Fact]
    public void An_anonymous_caller_rings_the_callee_and_is_shown_by_its_display_name()
    {
        var s = Created(Bob, BobsDevices(), new CallerProfile(true, false, new HashSet<Address> { Bob }, "Support visitor"), AnonymousBrowser);
        s.Do(new EstablishCall(AnonymousBrowser, TestSdp.AudioOffer, BobsDevices()));

        s.AssertState(AnonymousBrowser, CallState.Ringing);
        var bobsView = s.View(BobPhone);
        Assert.Equal(CallState.Ringing, bobsView.State);
        Assert.Equal("anonymous-5e1f@example.com", bobsView.RemoteAddress);
        Assert.Equal("Support visitor", bobsView.RemoteDisplayName);
    }

    public static TheoryData<string> EstablishRefusals => new(EstablishCases.Keys);

    private static readonly Dictionary<string, (Func<CallScenario> Setup, CallCommand Command, ErrorCode Code)> EstablishCases = new()
    {
        ["established twice"] = (() => Ringing(), new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobsDevices()), ErrorCode.InvalidState),
        ["by the callee"] = (() => Created(), new EstablishCall(BobPhone, TestSdp.AudioOffer, BobsDevices()), ErrorCode.CallNotFound),
        ["from another device of the caller"] = (() => Created(), new EstablishCall(AliceLaptop, TestSdp.AudioOffer, BobsDevices()), ErrorCode.InvalidState),
        ["by a stranger"] = (() => Created(), new EstablishCall(EvePhone, TestSdp.AudioOffer, BobsDevices()), ErrorCode.CallNotFound),
        ["garbage offer"] = (() => Created(), new EstablishCall(AlicePhone, "hello", BobsDevices()), ErrorCode.InvalidSdp),
        ["empty offer"] = (() => Created(), new EstablishCall(AlicePhone, string.Empty, BobsDevices()), ErrorCode.InvalidSdp),
        ["offer without audio"] = (() => Created(), new EstablishCall(AlicePhone, TestSdp.Offer(audio: null, video: "sendrecv"), BobsDevices()), ErrorCode.InvalidSdp),
        ["oversized offer"] = (() => Created(), new EstablishCall(AlicePhone, TestSdp.OfferOfLength(70_000), BobsDevices()), ErrorCode.PayloadTooLarge),
        ["after the call ended"] = (() => Ended(), new EstablishCall(AlicePhone, TestSdp.AudioOffer, BobsDevices()), ErrorCode.InvalidState),
        ["bad offer with no devices"] = (() => Created(), new EstablishCall(AlicePhone, "v=0\r\n", Devices(Bob)), ErrorCode.InvalidSdp),
    };

    [Theory]
    [MemberData(nameof(EstablishRefusals))]
    public void Establish_refusals_change_nothing(string name)
    {
        var (setup, command, code) = EstablishCases[name];
        setup().Refuse(command, code);
    }

    private static CallScenario Ended() => Created().Then(new EndCall(AlicePhone));

    [Fact]
    public void The_caller_ending_a_call_before_establishing_it_ends_it_locally()
    {
        var s = Created();
        var decision = s.Do(new EndCall(AlicePhone));
        s.AssertState(AlicePhone, CallState.Ended, EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser);
        AssertNotified(decision, "CallStatusChanged->alice-phone");
    }
}
