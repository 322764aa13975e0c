using System.Security.Cryptography;
using System.Security.Claims;
using System.Text;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CallServer.Auth;

/// <summary>Signs the JWTs of users and anonymous callers (HMAC-SHA256).</summary>
public sealed class TokenIssuer(IOptions<JwtOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler handler = new();

    public IssuedToken IssueForUser(UserAccount account) =>
        Issue(
            account.Address,
            CallServerClaims.UserRole,
            options.Value.AccessTokenLifetime,
            [new Claim(CallServerClaims.AccountCreated, account.CreatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

    /// <summary>A token the app's backend asked for (<c>POST /api/v1/user-tokens</c>): renewable, with the display name it gave.</summary>
    public IssuedToken IssueForAppUser(UserAccount account, TimeSpan lifetime, string? displayName)
    {
        List<Claim> claims =
        [
            new(CallServerClaims.AccountCreated, account.CreatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(CallServerClaims.TokenKind, CallServerClaims.BackendMinted),
        ];
        if (!string.IsNullOrWhiteSpace(displayName))
        {
            claims.Add(new Claim(CallServerClaims.Name, displayName));
        }

        return Issue(account.Address, CallServerClaims.UserRole, lifetime < options.Value.AccessTokenLifetime ? lifetime : options.Value.AccessTokenLifetime, claims);
    }

    public IssuedToken IssueForAnonymous(Address account, TimeSpan lifetime, string? displayName, IReadOnlyCollection<Address> allowedCallees)
    {
        var claims = allowedCallees.Select(a => new Claim(CallServerClaims.AllowedCallee, a.Value)).ToList();
        if (!string.IsNullOrWhiteSpace(displayName))
        {
            claims.Add(new Claim(CallServerClaims.Name, displayName));
        }

        return Issue(account, CallServerClaims.AnonymousRole, lifetime, claims);
    }

    public static SymmetricSecurityKey KeyOf(JwtOptions options) => new(Encoding.UTF8.GetBytes(options.SigningKey!));

    private IssuedToken Issue(Address account, string role, TimeSpan lifetime, IEnumerable<Claim> extraClaims)
    {
        var jwt = options.Value;
        var now = clock.GetUtcNow();
        var expires = now + lifetime;
        var identity = new ClaimsIdentity(
            [new Claim(CallServerClaims.Subject, account.Value), new Claim(CallServerClaims.Role, role), new Claim("jti", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))), .. extraClaims]);
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Subject = identity,
            Issuer = jwt.Issuer,
            Audience = jwt.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(KeyOf(jwt), SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, expires, account.Value);
    }
}
