namespace CallServer.Adapters.Users;

/// <summary>
/// A user as stored in <c>user:&lt;address&gt;</c> (schema 1), apart from the domain's <c>UserAccount</c>. Field
/// names are those of the unversioned format (schema 0). Change it only by the rules of "Stored format and
/// rolling upgrades" in docs/architecture.md.
/// </summary>
public sealed class StoredUser
{
    /// <summary>The format of this record: <see cref="StoredUserFormat.CurrentSchema"/> when written; 0 when absent.</summary>
    public int Schema { get; init; }

    public required string Username { get; init; }

    /// <summary>The address, as its text.</summary>
    public required string Address { get; init; }

    public required string PasswordHash { get; init; }

    /// <summary>E.164 numbers (<c>+15551234567</c>).</summary>
    public IReadOnlyList<string> PhoneNumbers { get; init; } = [];

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Added within schema 1 (issue 18): a <c>BusyPolicy</c> by name; absent: the configured default.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? BusyPolicy { get; init; }
}
