using System.Security.Claims;
using CallServer.Api;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Errors;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

using CallServer.Auth;

namespace CallServer.Hosting;

/// <summary>
/// Tokens of the app's identity providers (<c>Auth:ExternalIssuers</c>): one JWT bearer scheme per issuer,
/// chosen by the token's <c>iss</c> (read, not trusted: the chosen scheme validates everything). Keys come from
/// the issuer's discovery document and JWKS through Microsoft.IdentityModel's configuration manager: cached,
/// fetched again for an unknown <c>kid</c> at most every <c>KeyRefreshInterval</c>, each fetch bounded by
/// <c>MetadataTimeout</c>. RS256, PS256 and ES256 only. A validated token becomes a CallServer user (created on
/// first use, <see cref="AppUsers"/>); an issuer that cannot be reached answers 503 <c>Unavailable</c>.
/// </summary>
public static class ExternalIssuerSchemes
{
    /// <summary>The default scheme: forwards to CallServer's own bearer scheme or to an issuer's.</summary>
    public const string Selector = "callserver-or-external";

    private const string UnavailableItem = "callserver.idp-unavailable";

    private static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256];

    public static string SchemeOf(int index) => $"external-{index}";

    /// <summary>Registers the selector and one bearer scheme per configured issuer (their count is read at start).</summary>
    public static AuthenticationBuilder AddExternalIssuers(this AuthenticationBuilder builder, IConfiguration configuration, string ownScheme, Func<JwtBearerEvents> ownEvents)
    {
        var count = configuration.GetSection($"{AuthOptions.Section}:ExternalIssuers").GetChildren().Count();
        builder.AddPolicyScheme(Selector, "CallServer or an identity provider", policy => policy.ForwardDefaultSelector = context => SchemeFor(context) ?? ownScheme);
        for (var i = 0; i < count; i++)
        {
            var index = i;
            builder.AddJwtBearer(SchemeOf(index));
            builder.Services.AddOptions<JwtBearerOptions>(SchemeOf(index))
                .Configure<IOptions<AuthOptions>>((bearer, auth) => Configure(bearer, auth.Value.ExternalIssuers[index], ownEvents()));
        }

        return builder;
    }

    /// <summary>The scheme of the issuer that the request's token names, or null (CallServer's own, or none).</summary>
    private static string? SchemeFor(HttpContext context)
    {
        var token = TokenOf(context);
        if (token is null)
        {
            return null;
        }

        string issuer;
        try
        {
            issuer = new JsonWebToken(token).Issuer.TrimEnd('/');
        }
        catch (ArgumentException)
        {
            return null; // not a JWT: CallServer's scheme refuses it
        }

        var issuers = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.ExternalIssuers;
        for (var i = 0; i < issuers.Count; i++)
        {
            if (string.Equals(issuers[i].Issuer, issuer, StringComparison.Ordinal))
            {
                return SchemeOf(i);
            }
        }

        return null;
    }

    private static string? TokenOf(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        var query = context.Request.Query["access_token"].ToString();
        return query.Length > 0 && context.Request.Path.StartsWithSegments(JwtAuthenticationSetup.HubPath) ? query : null;
    }

    private static void Configure(JwtBearerOptions bearer, ExternalIssuerOptions issuer, JwtBearerEvents own)
    {
        var authority = new Uri(issuer.Issuer + "/");
        bearer.Authority = issuer.Issuer;
        bearer.MetadataAddress = new Uri(authority, ".well-known/openid-configuration").ToString();
        bearer.RequireHttpsMetadata = !authority.IsLoopback;
        bearer.BackchannelTimeout = issuer.MetadataTimeout;
        bearer.RefreshOnIssuerKeyNotFound = true;
        bearer.RefreshInterval = issuer.KeyRefreshInterval;
        bearer.AutomaticRefreshInterval = issuer.AutomaticRefreshInterval;
        bearer.MapInboundClaims = false;
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = issuer.Issuer,
            ValidAudience = issuer.Audience,
            ValidAlgorithms = Algorithms,
            NameClaimType = CallServerClaims.Subject,
            RoleClaimType = CallServerClaims.Role,
            ClockSkew = TimeSpan.FromSeconds(5),
        };
        bearer.Events = new JwtBearerEvents
        {
            OnMessageReceived = own.OnMessageReceived,
            OnForbidden = own.OnForbidden,
            OnTokenValidated = context => BecomeUserAsync(context, issuer),
            OnAuthenticationFailed = context =>
            {
                // The configuration manager could not get the discovery document or the keys and has none cached:
                // the token is checked against no key at all (IDX10500), or the fetch failure surfaces (IDX20803).
                if (context.Exception is SecurityTokenSignatureKeyNotFoundException { Message: var noKeys } && noKeys.Contains("IDX10500", StringComparison.Ordinal)
                    || context.Exception is InvalidOperationException { Message: var message } && message.Contains("IDX20803", StringComparison.Ordinal))
                {
                    context.HttpContext.Items[UnavailableItem] = true;
                }

                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                if (context.HttpContext.Items.ContainsKey(UnavailableItem))
                {
                    context.HandleResponse();
                    await ApiProblem.Write(context.HttpContext, ErrorCode.Unavailable, "the identity provider cannot be reached to check this token; try again");
                    return;
                }

                await own.OnChallenge(context);
            },
        };
    }

    /// <summary>The identity provider's user as a CallServer user: the required claims, a valid username, the account (created on first use).</summary>
    private static async Task BecomeUserAsync(TokenValidatedContext context, ExternalIssuerOptions issuer)
    {
        var principal = context.Principal!;
        foreach (var pair in issuer.RequiredClaims)
        {
            var (claim, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (!principal.HasClaim(claim, value))
            {
                context.Fail($"the token lacks {claim}={value}");
                return;
            }
        }

        var services = context.HttpContext.RequestServices;
        var appUsers = services.GetRequiredService<AppUsers>();
        var username = principal.FindFirst(issuer.UsernameClaim)?.Value;
        var domain = string.IsNullOrWhiteSpace(issuer.Domain) ? services.GetRequiredService<IOptions<CallsOptions>>().Value.DefaultDomain : issuer.Domain;
        if (appUsers.Refusal(username) is { } refusal || !Address.TryParse($"{username}@{domain}", domain, out var address))
        {
            context.Fail($"the token's {issuer.UsernameClaim} is no CallServer username");
            return;
        }

        var account = await appUsers.EnsureAsync(address, context.HttpContext.RequestAborted);
        var (displayName, _) = DisplayName.Normalize(principal.FindFirst(issuer.DisplayNameClaim)?.Value);
        List<Claim> claims =
        [
            new(CallServerClaims.Subject, account.Address.Value),
            new(CallServerClaims.Role, CallServerClaims.UserRole),
            new(CallServerClaims.AccountCreated, account.CreatedAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
        if (displayName is not null)
        {
            claims.Add(new Claim(CallServerClaims.Name, displayName));
        }

        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, context.Scheme.Name, CallServerClaims.Subject, CallServerClaims.Role));
    }
}
