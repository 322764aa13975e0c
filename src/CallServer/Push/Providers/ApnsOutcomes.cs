using System.Text.Json;
using CallServer.Ports;

namespace CallServer.Push.Providers;

/// <summary>What an APNs answer means (Apple's "Handling notification responses from APNs").</summary>
public static class ApnsOutcomes
{
    /// <summary>The reasons that mean the device token will never work again for this topic.</summary>
    private static readonly HashSet<string> GoneReasons = new(StringComparer.Ordinal) { "BadDeviceToken", "Unregistered", "DeviceTokenNotForTopic" };

    public static PushOutcome From(int status, string body, TimeSpan? retryAfter)
    {
        var reason = ReasonOf(body);
        return status switch
        {
            200 => PushOutcome.Delivered,
            410 => new PushOutcome(PushOutcomeKind.RegistrationGone, status, reason ?? "Unregistered"),
            400 when reason is not null && GoneReasons.Contains(reason) => new PushOutcome(PushOutcomeKind.RegistrationGone, status, reason),
            429 or >= 500 => new PushOutcome(PushOutcomeKind.Retry, status, reason, retryAfter),
            _ => new PushOutcome(PushOutcomeKind.Failed, status, reason),
        };
    }

    /// <summary>The <c>reason</c> of an APNs error body (<c>{"reason":"BadDeviceToken"}</c>), or null.</summary>
    public static string? ReasonOf(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("reason", out var reason)
                && reason.ValueKind == JsonValueKind.String
                ? reason.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
