namespace CallServer.Auth;

public static class AuthPolicies
{
    /// <summary>A registered user or an anonymous caller with a valid token.</summary>
    public const string AnyCaller = "any-caller";
}
