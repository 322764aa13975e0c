using System.Text.Json;
using CallServer.Domain.Addresses;
using CallServer.Ports;
using CallServer.Push;

namespace CallServer.Adapters.PushRegistrations;

/// <summary>A push registration as stored (JSON, schema 1), with its own mapping to and from <see cref="PushRegistration"/>.</summary>
public sealed record StoredPushRegistration
{
    public int Schema { get; init; } = 1;

    public required string RegistrationId { get; init; }

    public required string Account { get; init; }

    public required string Platform { get; init; }

    public string? Token { get; init; }

    public string? Endpoint { get; init; }

    public string? P256dh { get; init; }

    public string? Auth { get; init; }

    public string? AppId { get; init; }

    /// <summary>Added (issue 20), absent while none: the APNs alert token.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? AlertToken { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public static string Write(PushRegistration registration) => JsonSerializer.Serialize(
        new StoredPushRegistration
        {
            RegistrationId = registration.RegistrationId,
            Account = registration.Account.Value,
            Platform = registration.Platform.ToString(),
            Token = registration.Token,
            Endpoint = registration.Subscription?.Endpoint,
            P256dh = registration.Subscription?.P256dh,
            Auth = registration.Subscription?.Auth,
            AppId = registration.AppId,
            AlertToken = registration.AlertToken,
            UpdatedAt = registration.UpdatedAt,
        },
        StoredJsonContext.Default.StoredPushRegistration);

    public static PushRegistration Read(string json)
    {
        var stored = JsonSerializer.Deserialize(json, StoredJsonContext.Default.StoredPushRegistration)
            ?? throw new StoredFormatException("a push registration is null");
        return new PushRegistration(
            stored.RegistrationId,
            StoredJson.ParseAddress(stored.Account, "push registration account"),
            Enum.Parse<PushPlatform>(stored.Platform),
            stored.Token,
            stored.Endpoint is null ? null : new WebPushSubscription(stored.Endpoint, stored.P256dh ?? string.Empty, stored.Auth ?? string.Empty),
            stored.AppId,
            stored.UpdatedAt)
        {
            AlertToken = stored.AlertToken,
        };
    }
}
