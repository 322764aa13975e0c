namespace CallServer.Configuration;

/// <summary><c>Admin:*</c>: the key that unlocks the users API (closed when unset).</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? ApiKey { get; set; }
}
