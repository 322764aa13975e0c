using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>Refuses to start with an <c>IceServers:CredentialLifetime</c> that is not positive.</summary>
public sealed class IceServersOptionsValidator : IValidateOptions<IceServersOptions>
{
    public ValidateOptionsResult Validate(string? name, IceServersOptions options) =>
        options.CredentialLifetime > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{IceServersOptions.Section}:CredentialLifetime must be positive.");
}
