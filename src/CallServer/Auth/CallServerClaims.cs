namespace CallServer.Auth;

/// <summary>The claims CallServer puts in its tokens.</summary>
public static class CallServerClaims
{
    public const string Subject = "sub";
    public const string Role = "role";
    public const string Name = "name";
    public const string AllowedCallee = "allowed_callee";

    /// <summary>The creation time (UTC ticks) of the account a user token was issued for: a token counts only for that very account.</summary>
    public const string AccountCreated = "account_created";

    /// <summary>Added (issue 17): <see cref="BackendMinted"/> on a user token the app's backend minted (it may be renewed).</summary>
    public const string TokenKind = "token_kind";

    public const string BackendMinted = "backend";

    public const string UserRole = "user";
    public const string AnonymousRole = "anonymous";
}
