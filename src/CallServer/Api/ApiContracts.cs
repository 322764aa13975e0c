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

public sealed record CreateUserRequest(string? Username, string? Password, IReadOnlyList<string>? PhoneNumbers);

public sealed record UserResponse(string Username, string Address, IReadOnlyList<string> PhoneNumbers, DateTimeOffset CreatedAt);

public sealed record CreatedUserResponse(string Address);

public sealed record HealthResponse(string Status);
