using CallServer.Domain.Addresses;
using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>Refuses to start with a <c>Pstn:GatewayUser</c> whose user part (before any <c>@</c>) is not a valid username.</summary>
public sealed class PstnOptionsValidator : IValidateOptions<PstnOptions>
{
    public ValidateOptionsResult Validate(string? name, PstnOptions options) =>
        options.GatewayUser is null || Address.IsValidUsername(options.GatewayUser.Split('@')[0])
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{PstnOptions.Section}:GatewayUser '{options.GatewayUser}' is not a valid username.");
}
