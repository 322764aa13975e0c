using System.Text.Json;
using CallServer.Ports;

namespace CallServer.Push.Providers;

/// <summary>
/// What an FCM HTTP v1 answer means. Errors are Google API errors
/// (<c>{"error":{"code","message","status","details":[{"@type":"…FcmError","errorCode":"UNREGISTERED"}]}}</c>).
/// </summary>
public static class FcmOutcomes
{
    private static readonly HashSet<string> RetryCodes = new(StringComparer.Ordinal) { "UNAVAILABLE", "INTERNAL", "QUOTA_EXCEEDED" };

    public static PushOutcome From(int status, string body, TimeSpan? retryAfter)
    {
        if (status is >= 200 and < 300)
        {
            return new PushOutcome(PushOutcomeKind.Delivered, status);
        }

        var (errorStatus, errorCode) = ErrorOf(body);
        // "NOT_FOUND/UNREGISTERED", "UNAVAILABLE" (status and code alike), or the bare status when the body is no API error.
        string?[] parts = [errorStatus, errorCode];
        var reason = parts.Any(part => part is not null)
            ? string.Join('/', parts.Where(part => part is not null).Distinct())
            : $"HTTP {status}";
        // Gone only when FCM says so in its own error body: a bare 404 (a wrong endpoint or project) must not delete registrations.
        if (errorCode == "UNREGISTERED" || (errorStatus == "NOT_FOUND" && errorCode is null && status == 404))
        {
            return new PushOutcome(PushOutcomeKind.RegistrationGone, status, reason);
        }

        if (status is 429 or >= 500 || (errorCode is not null && RetryCodes.Contains(errorCode)) || (errorStatus is not null && RetryCodes.Contains(errorStatus)))
        {
            return new PushOutcome(PushOutcomeKind.Retry, status, reason, retryAfter);
        }

        return new PushOutcome(PushOutcomeKind.Failed, status, reason);
    }

    /// <summary>The error's <c>status</c> and the FCM <c>errorCode</c> of its details, when the body has them.</summary>
    public static (string? Status, string? ErrorCode) ErrorOf(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            var status = error.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
            string? errorCode = null;
            if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            {
                errorCode = details.EnumerateArray()
                    .Where(detail => detail.ValueKind == JsonValueKind.Object)
                    .Select(detail => detail.TryGetProperty("errorCode", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null)
                    .FirstOrDefault(code => code is not null);
            }

            return (status, errorCode);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
