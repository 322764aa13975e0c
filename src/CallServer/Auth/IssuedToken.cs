namespace CallServer.Auth;

/// <summary>A token as the REST API returns it.</summary>
public sealed record IssuedToken(string AccessToken, DateTimeOffset ExpiresAt, string Address);
