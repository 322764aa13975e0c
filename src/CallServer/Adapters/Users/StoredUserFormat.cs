using CallServer.Domain.Calls;
using CallServer.Domain.Ports;

namespace CallServer.Adapters.Users;

/// <summary>
/// The one mapping between the domain's <see cref="UserAccount"/> and its stored form <see cref="StoredUser"/>.
/// Writes schema <see cref="CurrentSchema"/>; reads schema 0 (no <c>schema</c> field, same field names) and 1;
/// refuses a newer schema with <see cref="StoredSchemaException"/>.
/// </summary>
public static class StoredUserFormat
{
    public const int CurrentSchema = 1;

    /// <summary>The record to store for <paramref name="account"/>, always of the current schema.</summary>
    public static string Write(UserAccount account) => StoredJson.Write(ToStored(account));

    /// <summary>The user a node of this version or an older one stored.</summary>
    public static UserAccount Read(string record) => ToDomain(StoredJson.Read<StoredUser>(record, "user", CurrentSchema));

    public static StoredUser ToStored(UserAccount account) => new()
    {
        Schema = CurrentSchema,
        Username = account.Username,
        Address = account.Address.Value,
        PasswordHash = account.PasswordHash,
        PhoneNumbers = [.. account.PhoneNumbers],
        CreatedAt = account.CreatedAt,
        BusyPolicy = account.BusyPolicy is { } policy ? NameOf(policy) : null,
    };

    public static UserAccount ToDomain(StoredUser stored) => new(
        stored.Username,
        StoredJson.ParseAddress(stored.Address, "user address"),
        stored.PasswordHash,
        [.. stored.PhoneNumbers.Select(n => n ?? throw new StoredFormatException("the stored user has a null in phoneNumbers"))],
        stored.CreatedAt)
    {
        BusyPolicy = stored.BusyPolicy is null ? null : StoredJson.ParseName<BusyPolicy>(stored.BusyPolicy, NameOf, "busyPolicy"),
    };

    private static string NameOf(BusyPolicy policy) => policy switch
    {
        Domain.Calls.BusyPolicy.CallWaiting => "CallWaiting",
        Domain.Calls.BusyPolicy.Busy => "Busy",
        _ => throw new InvalidOperationException($"BusyPolicy.{policy} has no stored name"),
    };
}
