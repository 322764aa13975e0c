namespace CallServer.Domain.Calls;

/// <summary>A timer the decider asks for; the token lets the decider tell a current timer from a stale one.</summary>
public sealed record TimerRequest(CallTimerKind Kind, string Token, DateTimeOffset DueAt);
