namespace CallServer.Configuration;

/// <summary><c>DemoUsers:*</c>: seed alice, bob and carol at start-up (on by default in Development only).</summary>
public sealed class DemoUsersOptions
{
    public const string Section = "DemoUsers";

    public bool? Enabled { get; set; }
}
