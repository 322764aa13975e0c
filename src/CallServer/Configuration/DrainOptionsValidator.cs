using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>Refuses to start with a <c>Drain:Delay</c> that is negative, or 25 seconds or more.</summary>
public sealed class DrainOptionsValidator : IValidateOptions<DrainOptions>
{
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(25);

    public ValidateOptionsResult Validate(string? name, DrainOptions options) =>
        options.Delay >= TimeSpan.Zero && options.Delay < MaxDelay
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{DrainOptions.Section}:Delay is 0 to 25 seconds.");
}
