using System.Net;
using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>Refuses to start with a <c>Network:TrustedProxies</c> entry that is not a CIDR network (each failure names its index).</summary>
public sealed class NetworkOptionsValidator : IValidateOptions<NetworkOptions>
{
    public ValidateOptionsResult Validate(string? name, NetworkOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.TrustedProxies.Count; i++)
        {
            if (!IPNetwork.TryParse(options.TrustedProxies[i], out _))
            {
                failures.Add($"{NetworkOptions.Section}:TrustedProxies:{i} '{options.TrustedProxies[i]}' is not a CIDR network, e.g. 172.16.0.0/12.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
