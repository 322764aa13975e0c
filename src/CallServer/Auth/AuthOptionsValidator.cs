using Microsoft.Extensions.Options;

namespace CallServer.Auth;

/// <summary>Checks <see cref="AuthOptions"/> at start: every external issuer has an absolute authority, an audience and sane timings.</summary>
public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (options.UserTokensPerMinute <= 0)
        {
            failures.Add($"{AuthOptions.Section}:UserTokensPerMinute must be positive.");
        }

        if (options.BackendApiKeys.Any(key => string.IsNullOrWhiteSpace(key) || key.Length < 16))
        {
            failures.Add($"{AuthOptions.Section}:BackendApiKeys must be at least 16 characters each.");
        }

        for (var i = 0; i < options.ExternalIssuers.Count; i++)
        {
            var issuer = options.ExternalIssuers[i];
            var prefix = $"{AuthOptions.Section}:ExternalIssuers:{i}";
            if (!Uri.TryCreate(issuer.Authority, UriKind.Absolute, out var authority) || authority.Scheme is not ("https" or "http"))
            {
                failures.Add($"{prefix}:Authority must be an absolute http(s) URL.");
            }
            else if (authority.Scheme == "http" && !authority.IsLoopback)
            {
                failures.Add($"{prefix}:Authority must be https (http only for a loopback issuer).");
            }

            if (string.IsNullOrWhiteSpace(issuer.Audience))
            {
                failures.Add($"{prefix}:Audience is required.");
            }

            if (string.IsNullOrWhiteSpace(issuer.UsernameClaim))
            {
                failures.Add($"{prefix}:UsernameClaim must not be empty.");
            }

            if (issuer.RequiredClaims.Any(pair => pair.IndexOf('=', StringComparison.Ordinal) is <= 0))
            {
                failures.Add($"{prefix}:RequiredClaims are claim=value pairs.");
            }

            if (issuer.MetadataTimeout <= TimeSpan.Zero || issuer.MetadataTimeout > TimeSpan.FromMinutes(1))
            {
                failures.Add($"{prefix}:MetadataTimeout must be more than 0 and at most 1 minute.");
            }

            if (issuer.KeyRefreshInterval < TimeSpan.FromSeconds(1))
            {
                failures.Add($"{prefix}:KeyRefreshInterval must be at least 1 second.");
            }

            if (issuer.AutomaticRefreshInterval < TimeSpan.FromMinutes(5))
            {
                failures.Add($"{prefix}:AutomaticRefreshInterval must be at least 5 minutes.");
            }
        }

        if (options.ExternalIssuers.Select(i => i.Issuer).Distinct(StringComparer.Ordinal).Count() != options.ExternalIssuers.Count)
        {
            failures.Add($"{AuthOptions.Section}:ExternalIssuers must name each authority once.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
