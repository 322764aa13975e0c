using CallServer.Domain.Addresses;

namespace CallServer.Domain.Notifications;

/// <summary>A push to every registration of <see cref="Account"/>: the decider asks, the application sends.</summary>
public abstract record WakeRequest(Address Account);

/// <summary>The call started ringing <see cref="WakeRequest.Account"/>: wake its devices until <see cref="RingsUntil"/>.</summary>
public sealed record WakeAccount(Address Account, DateTimeOffset RingsUntil) : WakeRequest(Account);

/// <summary>
/// The call stopped ringing the woken account: its devices stop ringing. <see cref="Reason"/> is the end
/// reason its devices see (<c>AnsweredElsewhere</c>, <c>Canceled</c>, <c>NoAnswer</c>, <c>Forwarded</c>, …).
/// </summary>
public sealed record StopWaking(Address Account, string Reason) : WakeRequest(Account);

/// <summary>
/// The call that woke <see cref="WakeRequest.Account"/> ended without being answered there, rejected or forwarded
/// (the caller hung up, or no one answered in time): its devices can show a missed call once the ringing is gone
/// (issue 20). Decided with the <see cref="StopWaking"/> of that end, after it.
/// </summary>
public sealed record MissedCall(Address Account, string Reason) : WakeRequest(Account);
