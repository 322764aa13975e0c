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
