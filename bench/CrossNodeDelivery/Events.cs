using CallServer.Application;
using CallServer.Domain.Calls;
using CallServer.Domain.Sdp;
using CallServer.Domain.Views;

namespace CrossNodeDelivery;

/// <summary>
/// The events sent, alternately: <c>IceCandidate(callId, {candidate, sdpMid, sdpMLineIndex})</c> and
/// <c>CallStatusChanged(CallSnapshot)</c>, as CallNotifier builds them, each with one extra trailing argument:
/// the sender's <see cref="System.Diagnostics.Stopwatch"/> timestamp, for the latency.
/// </summary>
internal static class Events
{
    public const string CallId = "5f0c1e9a7d2b4c3e8a6f1d0b9c7e2a41";

    public static readonly IceCandidate Candidate = new(
        "candidate:842163049 1 udp 1677729535 203.0.113.7 61645 typ srflx raddr 192.168.1.23 rport 61645 generation 0 ufrag 4ZcD network-cost 999",
        "0",
        0);

    public static readonly CallSnapshot Snapshot = new(
        CallId,
        CallDirection.Incoming,
        "bob@example.test",
        "alice@example.test",
        CallState.InCall,
        EndReason: null,
        new CallMedia(Audio: true, Video: true, LocalVideo: true, RemoteVideo: true, LocalMuted: false, RemoteMuted: false),
        LocalHold: false,
        RemoteHold: false,
        StatusCode: null,
        CreatedAt: new DateTimeOffset(2026, 11, 27, 10, 15, 3, 120, TimeSpan.Zero),
        AnsweredAt: new DateTimeOffset(2026, 11, 27, 10, 15, 9, 481, TimeSpan.Zero),
        EndedAt: null,
        Sequence: 0)
    {
        RemoteDisplayName = "Alice",
        OfferKind = OfferKind.Video,
        PendingOperationId = null,
    };

    /// <summary>The i-th event: even ones are ICE candidates, odd ones call status changes.</summary>
    public static (string Method, object?[] Arguments) Make(int i, long sentAt) => i % 2 == 0
        ? (HubEvents.IceCandidate, [CallId, Candidate, sentAt])
        : (HubEvents.CallStatusChanged, [Snapshot with { Sequence = i }, sentAt]);
}
