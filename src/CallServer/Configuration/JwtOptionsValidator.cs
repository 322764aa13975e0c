using System.Text;
using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>Refuses to start without a signing key outside Development, or with a short one.</summary>
public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        if (string.IsNullOrEmpty(options.SigningKey))
        {
            return ValidateOptionsResult.Fail(
                "Jwt:SigningKey is required outside Development: set it to a random secret of at least 32 bytes " +
                "(for example the environment variable Jwt__SigningKey=$(openssl rand -base64 48)).");
        }

        if (Encoding.UTF8.GetByteCount(options.SigningKey) < 32)
        {
            return ValidateOptionsResult.Fail("Jwt:SigningKey must be at least 32 bytes long.");
        }

        if (options.AccessTokenLifetime <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail("Jwt:AccessTokenLifetime must be positive.");
        }

        return ValidateOptionsResult.Success;
    }
}
