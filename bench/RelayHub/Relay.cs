using System.Collections.Concurrent;
using CallServer.Domain.Calls;
using CallServer.Domain.Sdp;
using CallServer.Domain.Views;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace RelayHub;

/// <summary>
/// For one whole call, sends what CallServer sends (recorded from a run of CallServer, see bench/flow.mjs):
/// <code>
/// CreateOutgoingCall  ⇐ snapshot Initial/1
/// EstablishCall       caller: CallStatusChanged Dialing/2; each callee device: IncomingCall(Ringing/2, offer);
///                     caller: CallStatusChanged Ringing/3
/// AcceptCall          accepting device: CallStatusChanged Answering/4 (other ringing devices: Ended/AnsweredElsewhere);
///                     caller: RemoteDescription(callId, "answer", answer); caller and accepting device: InCall/5
/// EndCall             both parties: CallStatusChanged Ended/6 (EndedLocally 9901 for the one that ended, EndedRemotely 9905)
/// </code>
/// No rules, no store, no SDP checks: whoever names a known call id moves it on.
/// </summary>
[Authorize]
public sealed class Relay(Registry registry) : Hub
{
    public const string HubPath = "/hubs/calls";
    private const string Domain = "callserver.local";

    private string Account => Context.User?.FindFirst("sub")?.Value ?? throw new HubException("Unauthorized: the token names no caller");

    public override Task OnConnectedAsync()
    {
        registry.Add(Account, Context.ConnectionId);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        registry.Remove(Account, Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    public CallSnapshot CreateOutgoingCall(string? callee)
    {
        var remote = string.IsNullOrEmpty(callee) ? throw new HubException("InvalidAddress: a callee is required")
            : callee.Contains('@') ? callee : $"{callee}@{Domain}";
        var call = new RelayCall(Guid.NewGuid().ToString("N"), Account, Context.ConnectionId, remote, DateTimeOffset.UtcNow);
        registry.Calls[call.Id] = call;
        return call.ViewOf(CallDirection.Outgoing, CallState.Initial, 1, offerKind: null);
    }

    public async Task EstablishCall(string? callId, string? sdpOffer)
    {
        var call = Find(callId);
        await Clients.Client(call.CallerConnection).SendAsync("CallStatusChanged", call.ViewOf(CallDirection.Outgoing, CallState.Dialing, 2));
        foreach (var device in registry.ConnectionsOf(call.Callee))
        {
            await Clients.Client(device).SendAsync("IncomingCall", call.ViewOf(CallDirection.Incoming, CallState.Ringing, 2), sdpOffer);
        }

        await Clients.Client(call.CallerConnection).SendAsync("CallStatusChanged", call.ViewOf(CallDirection.Outgoing, CallState.Ringing, 3));
    }

    public async Task AcceptCall(string? callId, string? sdpAnswer)
    {
        var call = Find(callId);
        call.CalleeConnection = Context.ConnectionId;
        call.AnsweredAt = DateTimeOffset.UtcNow;
        await Clients.Caller.SendAsync("CallStatusChanged", call.ViewOf(CallDirection.Incoming, CallState.Answering, 4));
        foreach (var device in registry.ConnectionsOf(call.Callee))
        {
            if (device != Context.ConnectionId)
            {
                await Clients.Client(device).SendAsync("CallStatusChanged", call.ViewOf(CallDirection.Incoming, CallState.Ended, 4, EndReason.AnsweredElsewhere, 9904));
            }
        }

        await Clients.Client(call.CallerConnection).SendAsync("RemoteDescription", call.Id, "answer", sdpAnswer);
        await Clients.Client(call.CallerConnection).SendAsync("CallStatusChanged", call.ViewOf(CallDirection.Outgoing, CallState.InCall, 5));
        await Clients.Caller.SendAsync("CallStatusChanged", call.ViewOf(CallDirection.Incoming, CallState.InCall, 5));
    }

    public async Task EndCall(string? callId)
    {
        var call = Find(callId);
        registry.Calls.TryRemove(call.Id, out _);
        call.EndedAt = DateTimeOffset.UtcNow;
        var callerEnded = Context.ConnectionId == call.CallerConnection;
        await Clients.Client(call.CallerConnection).SendAsync("CallStatusChanged", call.ViewOf(
            CallDirection.Outgoing, CallState.Ended, 6, callerEnded ? EndReason.EndedLocally : EndReason.EndedRemotely, callerEnded ? 9901 : 9905));
        if (call.CalleeConnection is { } callee)
        {
            await Clients.Client(callee).SendAsync("CallStatusChanged", call.ViewOf(
                CallDirection.Incoming, CallState.Ended, 6, callerEnded ? EndReason.EndedRemotely : EndReason.EndedLocally, callerEnded ? 9905 : 9901));
        }
        else
        {
            foreach (var device in registry.ConnectionsOf(call.Callee))
            {
                await Clients.Client(device).SendAsync("CallStatusChanged", call.ViewOf(CallDirection.Incoming, CallState.Ended, 6, EndReason.Canceled, 487));
            }
        }
    }

    /// <summary>The relay keeps no calls for a device to come back to: always empty.</summary>
    public IReadOnlyList<CallSnapshot> GetActiveCalls() => [];

    private RelayCall Find(string? callId) =>
        callId is not null && registry.Calls.TryGetValue(callId, out var call) ? call : throw new HubException("CallNotFound: no such call");
}

/// <summary>Who is connected where, and the two parties of each call in progress.</summary>
public sealed class Registry
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> devices = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, RelayCall> Calls { get; } = new(StringComparer.Ordinal);

    public void Add(string account, string connectionId) => devices.GetOrAdd(account, _ => new(StringComparer.Ordinal))[connectionId] = 0;

    public void Remove(string account, string connectionId)
    {
        if (devices.TryGetValue(account, out var connections))
        {
            connections.TryRemove(connectionId, out _);
        }
    }

    public ICollection<string> ConnectionsOf(string account) =>
        devices.TryGetValue(account, out var connections) ? connections.Keys : [];
}

public sealed class RelayCall(string id, string caller, string callerConnection, string callee, DateTimeOffset createdAt)
{
    public string Id { get; } = id;
    public string Caller { get; } = caller;
    public string CallerConnection { get; } = callerConnection;
    public string Callee { get; } = callee;
    public DateTimeOffset CreatedAt { get; } = createdAt;
    public string? CalleeConnection { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }

    public CallSnapshot ViewOf(CallDirection direction, CallState state, long sequence, EndReason? endReason = null, int? statusCode = null, OfferKind? offerKind = OfferKind.Audio) =>
        new(Id, direction,
            direction == CallDirection.Outgoing ? Caller : Callee,
            direction == CallDirection.Outgoing ? Callee : Caller,
            state, endReason, new CallMedia(true, false, false, false, false, false), false, false, statusCode,
            CreatedAt, AnsweredAt, state == CallState.Ended ? EndedAt : null, sequence)
        { OfferKind = offerKind };
}
