using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Sdp;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>Calls to store: a minimal one, and one with every field set (addresses of all three kinds).</summary>
public static class SampleCalls
{
    public const string Domain = "example.test";

    public static Address User(string name) => Address.Parse(name, Domain);

    public static Address Anonymous(string suffix) => Address.Parse(Address.AnonymousPrefix + suffix, Domain);

    public static Address Telephone(string number) => Address.Parse("tel:" + number, Domain);

    public static string NewId() => "call-" + Guid.NewGuid().ToString("N");

    /// <summary>A new id as the server makes them: in the caller's shard of the Redis key layout (<see cref="Adapters.Redis.RedisShards"/>).</summary>
    public static string NewIdOf(Address caller) => Adapters.Redis.RedisShards.NewCallId(caller.Value);

    /// <summary>A call just created: <paramref name="caller"/> calls <paramref name="callee"/>, no devices yet.</summary>
    public static Call Simple(Address caller, Address callee, DateTimeOffset now, string? callId = null) => new()
    {
        CallId = callId ?? NewIdOf(caller),
        Version = 1,
        Caller = new PartyState(caller, caller, "caller-device-" + Guid.NewGuid().ToString("N")),
        Callee = new PartyState(callee, callee, null),
        Phase = CallPhase.Initial,
        ForwardChain = [callee],
        CreatedAt = now,
    };

    /// <summary>
    /// Every field set to a non-default value: an anonymous caller, a telephone callee reached through a
    /// gateway account, devices of user accounts (one ended on its own), a forward chain, candidates of both
    /// kinds, a pending operation, ends, timestamps with an offset and sub-millisecond ticks.
    /// </summary>
    public static Call Full(DateTimeOffset now, string? callId = null)
    {
        var caller = Anonymous("7f3a");
        var dialed = Telephone("+15551234567");
        var gateway = User("pstn-gateway");
        var bob = User("bob");
        var carol = User("carol");
        var offset = TimeSpan.FromHours(2);
        return new Call
        {
            CallId = callId ?? NewIdOf(caller),
            Version = 7,
            Caller = new PartyState(caller, caller, "device-caller")
            {
                DisplayName = "Guest Ünïcødé \"quoted\"",
                Held = true,
                Muted = true,
                SendsVideo = true,
                Connected = false,
                GraceGeneration = 3,
                End = new CallEnd(EndReason.ConnectionLost, 408),
            },
            Callee = new PartyState(dialed, gateway, "device-bob-2")
            {
                DisplayName = "Gateway",
                Held = false,
                Muted = false,
                SendsVideo = true,
                Connected = true,
                GraceGeneration = 1,
                End = new CallEnd(EndReason.EndedRemotely, 200),
            },
            Phase = CallPhase.Connected,
            OfferKind = OfferKind.Video,
            Offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n",
            Devices =
            [
                new CalleeDevice("device-bob-1", bob, new CallEnd(EndReason.AnsweredElsewhere, 200)),
                new CalleeDevice("device-bob-2", bob),
                new CalleeDevice("device-carol-1", carol, new CallEnd(EndReason.Forwarded, 302)),
            ],
            ForwardChain = [carol, bob, gateway],
            CandidatesForCallee =
            [
                new IceCandidate("candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host", "0", 0),
                new IceCandidate("candidate:2 1 udp 1686052607 198.51.100.7 54401 typ srflx", null, null),
            ],
            CandidatesFromDevices =
            [
                new DeviceCandidate("device-bob-1", new IceCandidate("candidate:3 1 tcp 1518280447 192.0.2.9 9 typ host tcptype active", "1", 1)),
            ],
            PendingOperation = new PendingOperation("op-42", MediaOperation.VideoStart, CallSide.Callee, "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"),
            RingGeneration = 4,
            CreatedAt = new DateTimeOffset(now.UtcDateTime.AddTicks(1234567), TimeSpan.Zero).ToOffset(offset),
            AnsweredAt = now.AddSeconds(5).AddTicks(89).ToOffset(offset),
            EndedAt = null,
        };
    }
}
