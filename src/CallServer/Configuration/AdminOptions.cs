namespace CallServer.Configuration;

/// <summary><c>Admin:*</c>: the key that unlocks the users API (closed when unset).</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    public string? ApiKey { get; set; }

    /// <summary>Wrong <c>X-Admin-Key</c>s one client address may send per minute; past it every users-API request from it is 429.</summary>
    public int FailedKeysPerMinute { get; set; } = 10;

    /// <summary>The largest request body the users API reads (bytes); larger is 413.</summary>
    public long MaxRequestBodySize { get; set; } = 16 * 1024;
}
