using CallServer.Domain.Calls;
using CallServer.Domain.Commands;
using CallServer.Domain.Errors;
using CallServer.Domain.Notifications;

namespace CallServer.Domain.Decisions;

/// <summary>What the decider made of a command: a refusal, or the next call with what follows from it.</summary>
public sealed record Decision
{
    private Decision()
    {
    }

    public DomainError? Error { get; private init; }

    /// <summary>The call after the command (the same instance when nothing changed).</summary>
    public Call? Call { get; private init; }

    /// <summary>False when the command changed nothing in the record (an ICE relay, a repeated mute).</summary>
    public bool Changed { get; private init; }

    public IReadOnlyList<CallNotification> Notifications { get; private init; } = [];

    public IReadOnlyList<TimerRequest> Timers { get; private init; } = [];

    /// <summary>Pushes to send with the save: wake an account's devices, or stop them ringing.</summary>
    public IReadOnlyList<WakeRequest> Wakes { get; private init; } = [];

    /// <summary>Commands to apply once the notifications went out (Dialing → Ringing, Answering → InCall).</summary>
    public IReadOnlyList<CallCommand> FollowUps { get; private init; } = [];

    public bool IsRefused => Error is not null;

    public static Decision Refuse(ErrorCode code, string message) => new() { Error = DomainError.Of(code, message) };

    public static Decision Refuse(DomainError error) => new() { Error = error };

    /// <summary>A new call, version 1.</summary>
    public static Decision Created(Call call, params TimerRequest[] timers) => new() { Call = call, Changed = true, Timers = timers };

    public static Decision Unchanged(Call call, params CallNotification[] notifications) =>
        new() { Call = call, Notifications = notifications };

    public static Decision Changes(
        Call before,
        Call after,
        IReadOnlyList<CallNotification> notifications,
        IReadOnlyList<TimerRequest>? timers = null,
        IReadOnlyList<CallCommand>? followUps = null,
        IReadOnlyList<WakeRequest>? wakes = null)
    {
        var (next, stops) = WakeRules.Follow(before, after);
        return new()
        {
            Call = next with { Version = before.Version + 1 },
            Changed = true,
            Notifications = notifications,
            Timers = timers ?? [],
            FollowUps = followUps ?? [],
            Wakes = stops.Count == 0 ? wakes ?? [] : [.. stops, .. wakes ?? []],
        };
    }
}
