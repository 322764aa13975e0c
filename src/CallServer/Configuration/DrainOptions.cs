namespace CallServer.Configuration;

/// <summary><c>Drain:*</c>: what a node does on SIGTERM.</summary>
public sealed class DrainOptions
{
    public const string Section = "Drain";

    /// <summary>How long the node reports not ready and lets <c>ServerDraining</c> reach its clients before it closes their connections.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(1);
}
