using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>Refuses to start with an <c>AnonymousCalls:TokenLifetime</c> that is not positive.</summary>
public sealed class AnonymousCallsOptionsValidator : IValidateOptions<AnonymousCallsOptions>
{
    public ValidateOptionsResult Validate(string? name, AnonymousCallsOptions options) =>
        options.TokenLifetime > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{AnonymousCallsOptions.Section}:TokenLifetime must be positive.");
}
