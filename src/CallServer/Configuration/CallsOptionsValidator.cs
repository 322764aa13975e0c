using CallServer.Domain.Addresses;
using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

public sealed class CallsOptionsValidator : IValidateOptions<CallsOptions>
{
    public ValidateOptionsResult Validate(string? name, CallsOptions options)
    {
        var failures = new List<string>();
        if (!Address.TryParse("probe@" + options.DefaultDomain, "invalid", out _))
        {
            failures.Add($"Calls:DefaultDomain '{options.DefaultDomain}' is not a valid domain name.");
        }

        foreach (var (key, value) in new[]
                 {
                     ("RingTimeout", options.RingTimeout), ("OperationTimeout", options.OperationTimeout),
                     ("ReconnectGrace", options.ReconnectGrace), ("EndedCallRetention", options.EndedCallRetention),
                     ("TimerPollInterval", options.TimerPollInterval),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                failures.Add($"Calls:{key} must be positive.");
            }
        }

        if (!Enum.IsDefined(options.BusyPolicy))
        {
            failures.Add("Calls:BusyPolicy is CallWaiting or Busy.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
