namespace CallServer.Api;

/// <summary>Credentials of a registered user.</summary>
/// <param name="Username">A bare username or <c>user@domain</c>.</param>
/// <param name="Password">The user's password.</param>
public sealed record TokenRequest(string? Username, string? Password);

/// <summary>What an anonymous caller may do.</summary>
/// <param name="AllowedCallees">The only users it may call; absent or empty allows any registered user.</param>
/// <param name="DisplayName">Shown to the callee.</param>
/// <param name="TtlSeconds">Lifetime, at most <c>AnonymousCalls:TokenLifetime</c>.</param>
public sealed record AnonymousTokenRequest(IReadOnlyList<string>? AllowedCallees, string? DisplayName, int? TtlSeconds);

/// <summary>A user to register (admin key); <c>busyPolicy</c> (added, issue 18): <c>CallWaiting</c> or <c>Busy</c>, absent: <c>Calls:BusyPolicy</c>.</summary>
public sealed record CreateUserRequest(string? Username, string? Password, IReadOnlyList<string>? PhoneNumbers, string? BusyPolicy = null);

/// <summary>A change of a user (admin key). <paramref name="BusyPolicy"/>: <c>CallWaiting</c>, <c>Busy</c>, or null for the configured default.</summary>
public sealed record UpdateUserRequest(string? BusyPolicy);

public sealed record UserResponse(string Username, string Address, IReadOnlyList<string> PhoneNumbers, DateTimeOffset CreatedAt)
{
    /// <summary>Added (issue 18): the user's own busy policy; absent when it follows <c>Calls:BusyPolicy</c>.</summary>
    public string? BusyPolicy { get; init; }
}

public sealed record CreatedUserResponse(string Address);

public sealed record HealthResponse(string Status);
