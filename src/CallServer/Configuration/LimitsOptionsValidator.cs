using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>Refuses to start with a <c>Limits:*</c> bound that is not positive (each failure names its key).</summary>
public sealed class LimitsOptionsValidator : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        var failures = new List<string>();
        foreach (var (key, value) in new[]
                 {
                     ("HubInvocationsPerSecond", (long)options.HubInvocationsPerSecond), ("HubInvocationBurst", options.HubInvocationBurst), ("RelayMessagesPerSecond", options.RelayMessagesPerSecond),
                     ("MaximumReceiveMessageSize", options.MaximumReceiveMessageSize), ("MaxDevicesPerUser", options.MaxDevicesPerUser),
                     ("UserInvocationsPerSecond", options.UserInvocationsPerSecond), ("UserInvocationBurst", options.UserInvocationBurst),
                 })
        {
            if (value <= 0)
            {
                failures.Add($"{LimitsOptions.Section}:{key} must be positive.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
