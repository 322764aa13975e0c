using CallServer.Configuration;
using CallServer.Push.Providers;
using Microsoft.Extensions.Options;

namespace CallServer.Push;

/// <summary>
/// Refuses to start with <c>Push:*</c> settings that cannot work: a timeout, bound or poll interval that is
/// not positive, a claim period under 300 ms, an endpoint that is not an http(s) URL, a provider configured
/// in part, or a key that cannot be read.
/// A provider left out entirely is fine (it is not configured).
/// </summary>
public sealed class PushOptionsValidator : IValidateOptions<PushOptions>
{
    public ValidateOptionsResult Validate(string? name, PushOptions options)
    {
        var failures = new List<string>();
        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            failures.Add("Push:RequestTimeout must be positive.");
        }

        if (options.MaxRegistrationsPerUser <= 0)
        {
            failures.Add("Push:MaxRegistrationsPerUser must be positive.");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add("Push:PollInterval must be positive.");
        }

        if (options.ClaimAfter < TimeSpan.FromMilliseconds(300))
        {
            failures.Add("Push:ClaimAfter must be at least 300 ms.");
        }

        if (options.MaxConcurrentPushes <= 0)
        {
            failures.Add("Push:MaxConcurrentPushes must be positive.");
        }

        CheckUrl(failures, "Push:Apns:Endpoint", options.Apns.Endpoint);
        CheckUrl(failures, "Push:Fcm:Endpoint", options.Fcm.Endpoint);
        CheckUrl(failures, "Push:Fcm:TokenEndpoint", options.Fcm.TokenEndpoint);
        CheckApns(failures, options.Apns);
        CheckFcm(failures, options.Fcm);
        if (WebPushVapidKeys.Problem(options.WebPush) is { } webPush)
        {
            failures.Add(webPush + ".");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckApns(List<string> failures, ApnsPushOptions apns)
    {
        var missing = new[]
        {
            (Name: "TeamId", Set: !string.IsNullOrWhiteSpace(apns.TeamId)),
            (Name: "KeyId", Set: !string.IsNullOrWhiteSpace(apns.KeyId)),
            (Name: "PrivateKey (or PrivateKeyPath)", Set: apns.HasKey),
            (Name: "Topic", Set: !string.IsNullOrWhiteSpace(apns.Topic)),
        };
        if (missing.All(setting => !setting.Set))
        {
            return;
        }

        if (missing.Any(setting => !setting.Set))
        {
            failures.Add($"Push:Apns is configured in part: {string.Join(", ", missing.Where(s => !s.Set).Select(s => s.Name))} missing.");
            return;
        }

        try
        {
            ApnsSigningKey.Load(apns).Dispose();
        }
        catch (InvalidOperationException e)
        {
            failures.Add(e.Message + ".");
        }
    }

    private static void CheckFcm(List<string> failures, FcmPushOptions fcm)
    {
        var hasProject = !string.IsNullOrWhiteSpace(fcm.ProjectId);
        if (!hasProject && !fcm.HasServiceAccount)
        {
            return;
        }

        if (!hasProject || !fcm.HasServiceAccount)
        {
            failures.Add($"Push:Fcm is configured in part: {(hasProject ? "ServiceAccountJson (or ServiceAccountJsonPath)" : "ProjectId")} missing.");
            return;
        }

        try
        {
            FcmServiceAccount.Validate(fcm);
        }
        catch (InvalidOperationException e)
        {
            failures.Add(e.Message + ".");
        }
    }

    private static void CheckUrl(List<string> failures, string setting, string? value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{setting} must be an absolute http(s) URL.");
        }
    }
}
