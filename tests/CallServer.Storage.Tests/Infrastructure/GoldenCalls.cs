using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;
using CallServer.Domain.Sdp;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>
/// The calls and users of the golden files (<c>Golden/*.json</c>): fixed ids, fixed instants, so that what a
/// writer makes of them is always the same text. Never change a sample a committed golden file was made from:
/// add a new one instead.
/// </summary>
public static class GoldenCalls
{
    private static readonly DateTimeOffset Start = new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.Zero).AddTicks(5897932);
    private static readonly TimeSpan Paris = TimeSpan.FromHours(1);

    /// <summary>The golden call samples by name: the file of one is <c>call-v{schema}-{name}.json</c>.</summary>
    public static IReadOnlyDictionary<string, Call> Calls { get; } = new Dictionary<string, Call>
    {
        ["initial"] = Initial(),
        ["ringing"] = Ringing(),
        ["incall"] = InCall(),
        ["ended"] = Ended(),
        ["forwarded"] = Forwarded(),
        ["anonymous-to-tel"] = AnonymousToTelephone(),
        ["full"] = Full(Start, "golden-full"),
    };

    /// <summary>
    /// Calls with the fields added within schema 1 (issue 18: custom parameters, quality, a waiting device, the end
    /// reason text): files of schema 1 only (<c>call-v1-{name}.json</c>).
    /// </summary>
    public static IReadOnlyDictionary<string, Call> CallsAddedInSchema1 { get; } = new Dictionary<string, Call>
    {
        ["during-call"] = DuringCall(),
    };

    /// <summary>Users with the fields added within schema 1 (issue 18: the busy policy).</summary>
    public static IReadOnlyDictionary<string, UserAccount> UsersAddedInSchema1 { get; } = new Dictionary<string, UserAccount>
    {
        ["busy-bob"] = new(
            "bob",
            User("bob"),
            "$argon2id$v=19$m=65536,t=3,p=1$Ym9ic2FsdA$Ym9iaGFzaA",
            [],
            new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.FromHours(2)).AddTicks(42)) { BusyPolicy = BusyPolicy.Busy },
    };

    /// <summary>
    /// Issue 18: answered on a device that rang flagged waiting, custom parameters on both sides, quality reported by
    /// both (the caller three samples, the callee one with video), ended with a reason text.
    /// </summary>
    private static Call DuringCall()
    {
        var at = Start.AddMinutes(1);
        var callerQuality = new[] { (4.4, 20.0, 1.0, 0.0), (3.1, 180.0, 12.5, 2.5), (4.2, 25.0, 2.0, 0.0) }
            .Select((s, i) => (Sample: new QualitySample(s.Item2, s.Item3, s.Item4, s.Item1, 32.5), At: at.AddSeconds(5 * i)))
            .Aggregate((CallQuality?)null, (quality, next) => CallQuality.Add(quality, next.Sample, next.At));
        var ended = Ended();
        return ended with
        {
            CallId = "golden-during-call",
            Caller = ended.Caller with
            {
                CustomParameters = CustomParameters.Of(new Dictionary<string, string> { ["ticket"] = "T-42", ["topic"] = "billing ünïcødé \"quoted\"" }),
                Quality = callerQuality,
            },
            Callee = ended.Callee with
            {
                CustomParameters = CustomParameters.Of(new Dictionary<string, string> { ["agent"] = "bob" }),
                Quality = CallQuality.Add(null, new QualitySample(31.5, 4.25, 0, 4.35, 28, 950.5), at.AddSeconds(3)),
            },
            Devices = [.. ended.Devices.Select((d, i) => d with { Waiting = i == 0 })],
            EndReasonText = "Resolved, thanks ☕",
        };
    }

    /// <summary>The golden user samples by name: the file of one is <c>user-v{schema}-{name}.json</c>.</summary>
    public static IReadOnlyDictionary<string, UserAccount> Users { get; } = new Dictionary<string, UserAccount>
    {
        ["alice"] = new(
            "alice",
            User("alice"),
            "$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
            ["+15551230001", "+442071838750"],
            new DateTimeOffset(2024, 12, 31, 23, 59, 58, TimeSpan.FromHours(-5)).AddTicks(1234567)),
        ["pstn-gateway"] = new(
            "pstn-gateway",
            User("pstn-gateway"),
            "$argon2id$v=19$m=65536,t=3,p=1$Z2F0ZXdheQ$Z2F0ZXdheWhhc2g",
            [],
            new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)),
    };

    /// <summary>Just created: no offer, no devices, the callee in the forward chain.</summary>
    private static Call Initial() => new()
    {
        CallId = "golden-initial",
        Version = 1,
        Caller = new PartyState(User("alice"), User("alice"), "conn-alice-phone") { DisplayName = "Alice" },
        Callee = new PartyState(User("bob"), User("bob"), null),
        Phase = CallPhase.Initial,
        ForwardChain = [User("bob")],
        CreatedAt = Start,
    };

    /// <summary>Three devices alerted (one ignored), candidates both ways, a pending operation, video offered.</summary>
    private static Call Ringing() => Initial() with
    {
        CallId = "golden-ringing",
        Version = 4,
        Caller = new PartyState(User("alice"), User("alice"), "conn-alice-phone") { DisplayName = "Alice", SendsVideo = true },
        Phase = CallPhase.Ringing,
        OfferKind = OfferKind.Video,
        Offer = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n",
        Devices =
        [
            new CalleeDevice("conn-bob-phone", User("bob")),
            new CalleeDevice("conn-bob-laptop", User("bob")),
            new CalleeDevice("conn-bob-tablet", User("bob"), new CallEnd(EndReason.Ignored, CallStatusCodes.IgnoredByLocalUser))
            {
                EndedAt = Start.AddSeconds(3),
            },
        ],
        CandidatesForCallee =
        [
            new IceCandidate("candidate:842163049 1 udp 1677729535 203.0.113.4 49203 typ srflx raddr 0.0.0.0 rport 0", "0", 0),
            new IceCandidate("candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", null, null),
        ],
        CandidatesFromDevices =
        [
            new DeviceCandidate("conn-bob-phone", new IceCandidate("candidate:7 1 udp 2122260223 192.0.2.20 50000 typ host", "0", 0)),
            new DeviceCandidate("conn-bob-laptop", new IceCandidate("candidate:8 1 tcp 1518280447 192.0.2.21 9 typ host tcptype active", "1", 1)),
        ],
        PendingOperation = new PendingOperation("op-ringing-1", MediaOperation.VideoStop, CallSide.Caller, "v=0\r\nm=video 0 UDP/TLS/RTP/SAVPF 96\r\n"),
        RingGeneration = 1,
    };

    /// <summary>Connected: the caller holds, the callee is muted and sends video, a renegotiation pending.</summary>
    private static Call InCall() => new()
    {
        CallId = "golden-incall",
        Version = 9,
        Caller = new PartyState(User("alice"), User("alice"), "conn-alice-phone") { DisplayName = "Alice", Held = true },
        Callee = new PartyState(User("bob"), User("bob"), "conn-bob-laptop")
        {
            DisplayName = "Bob",
            Muted = true,
            SendsVideo = true,
            GraceGeneration = 2,
        },
        Phase = CallPhase.Connected,
        OfferKind = OfferKind.AudioWithInactiveVideo,
        Offer = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=inactive\r\n",
        Devices =
        [
            new CalleeDevice("conn-bob-phone", User("bob"), new CallEnd(EndReason.AnsweredElsewhere, CallStatusCodes.RespondedFromAnotherDevice))
            {
                EndedAt = Start.AddSeconds(7).ToOffset(Paris),
            },
            new CalleeDevice("conn-bob-laptop", User("bob")),
        ],
        ForwardChain = [User("bob")],
        PendingOperation = new PendingOperation("op-hold-2", MediaOperation.HoldCall, CallSide.Caller, "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n"),
        RingGeneration = 1,
        CreatedAt = Start.ToOffset(Paris),
        AnsweredAt = Start.AddSeconds(7).AddTicks(42).ToOffset(Paris),
    };

    /// <summary>Ended by the caller: both parties' ends, devices' local ends, all three instants.</summary>
    private static Call Ended() => InCall() with
    {
        CallId = "golden-ended",
        Version = 12,
        Caller = new PartyState(User("alice"), User("alice"), "conn-alice-phone")
        {
            DisplayName = "Alice",
            End = new CallEnd(EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser),
        },
        Callee = new PartyState(User("bob"), User("bob"), "conn-bob-laptop")
        {
            DisplayName = "Bob",
            Connected = false,
            GraceGeneration = 1,
            End = new CallEnd(EndReason.EndedRemotely, CallStatusCodes.SessionCompleted),
        },
        Phase = CallPhase.Ended,
        PendingOperation = null,
        EndedAt = Start.AddMinutes(3).AddTicks(7).ToOffset(Paris),
    };

    /// <summary>Forwarded twice (bob → carol → dave): the forwarded devices ended, the chain in order.</summary>
    private static Call Forwarded() => new()
    {
        CallId = "golden-forwarded",
        Version = 6,
        Caller = new PartyState(User("alice"), User("alice"), "conn-alice-phone"),
        Callee = new PartyState(User("bob"), User("dave"), null) { DisplayName = "Bob" },
        Phase = CallPhase.Ringing,
        OfferKind = OfferKind.Audio,
        Offer = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
        Devices =
        [
            new CalleeDevice("conn-bob-phone", User("bob"), new CallEnd(EndReason.Forwarded, CallStatusCodes.CallForwarded)) { EndedAt = Start.AddSeconds(2) },
            new CalleeDevice("conn-carol-phone", User("carol"), new CallEnd(EndReason.Forwarded, 302)) { EndedAt = Start.AddSeconds(4) },
            new CalleeDevice("conn-dave-phone", User("dave")),
            new CalleeDevice("conn-dave-desk", User("dave"), new CallEnd(EndReason.Rejected, CallStatusCodes.Rejected)) { EndedAt = Start.AddSeconds(5) },
        ],
        ForwardChain = [User("bob"), User("carol"), User("dave")],
        RingGeneration = 3,
        CreatedAt = Start,
    };

    /// <summary>An anonymous caller dials a telephone number; the gateway account's device rings.</summary>
    private static Call AnonymousToTelephone()
    {
        var caller = Anonymous("5e1f0c2a");
        var gateway = User("pstn-gateway");
        return new Call
        {
            CallId = "golden-anonymous-to-tel",
            Version = 2,
            Caller = new PartyState(caller, caller, "conn-anonymous") { DisplayName = "Website visitor" },
            Callee = new PartyState(Telephone("+442071838750"), gateway, null),
            Phase = CallPhase.Dialing,
            OfferKind = OfferKind.Audio,
            Offer = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0 8\r\n",
            Devices = [new CalleeDevice("conn-gateway-1", gateway)],
            ForwardChain = [gateway],
            CandidatesForCallee = [new IceCandidate("candidate:1 1 udp 2122260223 192.0.2.44 61000 typ host", "0", 0)],
            RingGeneration = 1,
            CreatedAt = Start.ToOffset(TimeSpan.FromHours(-8)),
        };
    }
}
