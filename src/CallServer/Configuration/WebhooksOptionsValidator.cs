using CallServer.Domain.Records;
using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>
/// Refuses to start with <c>Webhooks:*</c> settings that cannot work: an endpoint URL that is not an
/// absolute http(s) URL, a secret that is not <c>whsec_</c> + base64, an unknown event type, or a bound
/// that is not positive. Each failure names its key; a secret's value is never part of a message.
/// </summary>
public sealed class WebhooksOptionsValidator : IValidateOptions<WebhooksOptions>
{
    public const string SecretPrefix = "whsec_";

    public ValidateOptionsResult Validate(string? name, WebhooksOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Endpoints.Count; i++)
        {
            CheckEndpoint(failures, $"{WebhooksOptions.Section}:Endpoints:{i}", options.Endpoints[i]);
        }

        foreach (var same in options.Endpoints.Select((endpoint, index) => (Key: WebhookEndpointKey.Of(endpoint), Index: index)).GroupBy(e => e.Key).Where(g => g.Count() > 1))
        {
            failures.Add($"{WebhooksOptions.Section}:Endpoints:{string.Join(", ", same.Select(e => e.Index))} have the same Id (or, without one, the same Url): give each its own Id.");
        }

        Positive(failures, "Timeout", options.Timeout);
        Positive(failures, "FailingWarningAfter", options.FailingWarningAfter);
        Positive(failures, "MaxAge", options.MaxAge);
        Positive(failures, "FirstRetryDelay", options.FirstRetryDelay);
        Positive(failures, "PollInterval", options.PollInterval);
        if (options.MaxInFlight < 1)
        {
            failures.Add($"{WebhooksOptions.Section}:MaxInFlight must be at least 1.");
        }

        if (options.MaxAttempts < 1)
        {
            failures.Add($"{WebhooksOptions.Section}:MaxAttempts must be at least 1.");
        }

        if (options.MaxRetryDelay < options.FirstRetryDelay)
        {
            failures.Add($"{WebhooksOptions.Section}:MaxRetryDelay must be at least Webhooks:FirstRetryDelay.");
        }

        if (options.LeaderLease < TimeSpan.FromMilliseconds(300))
        {
            failures.Add($"{WebhooksOptions.Section}:LeaderLease must be at least 300 ms.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>The key of a Standard Webhooks secret (<c>whsec_</c> + base64), or null when it is not one.</summary>
    public static byte[]? SecretKey(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var encoded = secret[SecretPrefix.Length..];
        var key = new byte[encoded.Length];
        return Convert.TryFromBase64String(encoded, key, out var length) && length > 0 ? key[..length] : null;
    }

    private static void CheckEndpoint(List<string> failures, string key, WebhookEndpointOptions endpoint)
    {
        if (!Uri.TryCreate(endpoint.Url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{key}:Url must be an absolute http(s) URL.");
        }

        if (endpoint.Id is not null && !WebhookEndpointKey.IsValidId(endpoint.Id))
        {
            failures.Add($"{key}:Id must be 1 to 32 of a-z, 0-9 and -.");
        }

        if (string.IsNullOrEmpty(endpoint.Secret))
        {
            failures.Add($"{key}:Secret is missing (whsec_ followed by the base64 of the key).");
        }
        else if (SecretKey(endpoint.Secret) is null)
        {
            failures.Add($"{key}:Secret is not a Standard Webhooks secret (whsec_ followed by the base64 of the key).");
        }

        for (var i = 0; i < endpoint.Events.Count; i++)
        {
            if (!CallEventTypes.All.Contains(endpoint.Events[i]))
            {
                failures.Add($"{key}:Events:{i} is not an event type (one of {string.Join(", ", CallEventTypes.All)}).");
            }
        }
    }

    private static void Positive(List<string> failures, string setting, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{WebhooksOptions.Section}:{setting} must be positive.");
        }
    }
}
