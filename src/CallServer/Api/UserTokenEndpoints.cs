using CallServer.Application;
using CallServer.Auth;
using CallServer.Domain.Addresses;
using CallServer.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CallServer.Api;

/// <summary>
/// <c>POST /api/v1/user-tokens</c>: the app's backend vouches for one of its users (with one of
/// <c>Auth:BackendApiKeys</c>) and gets a token for it; the account is created on first use, with no password.
/// <c>POST /api/v1/user-tokens/renew</c>: such a token, still valid, for a new one of the same user.
/// </summary>
public static class UserTokenEndpoints
{
    public static void MapUserTokenEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/user-tokens", Issue)
            .WithTags("Auth")
            .WithName("IssueUserToken")
            .WithSummary("The app's backend mints a token for one of its users (X-Api-Key of Auth:BackendApiKeys); the user is created on first use, without a password.")
            .RequireRateLimiting(RateLimitPolicies.UserTokens)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapPost("/user-tokens/renew", Renew)
            .WithTags("Auth")
            .WithName("RenewUserToken")
            .WithSummary("Renews a still-valid token minted by POST /api/v1/user-tokens: the same user and display name, a new expiry.")
            .RequireAuthorization(AuthPolicies.AnyCaller)
            .RequireRateLimiting(RateLimitPolicies.UserTokens)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static async Task<Results<Ok<IssuedToken>, ProblemHttpResult>> Issue(
        [FromBody] UserTokenRequest? request,
        [FromHeader(Name = ApiKeys.ApiKeyHeader)] string? apiKey,
        IOptions<AuthOptions> options,
        CallDirectory directory,
        AppUsers appUsers,
        TokenIssuer tokens,
        ILogger<UserTokenRequest> logger,
        CancellationToken cancellationToken)
    {
        if (!ApiKeys.Matches(apiKey, options.Value.BackendApiKeys))
        {
            return Problem(ErrorCode.Unauthorized, $"a valid {ApiKeys.ApiKeyHeader} of Auth:BackendApiKeys is required to mint user tokens");
        }

        if (request is null)
        {
            return Problem(ErrorCode.InvalidArgument, "the body is { \"username\": \"…\", \"displayName\": \"…\", \"ttl\": \"00:30:00\" }");
        }

        if (appUsers.Refusal(request.Username) is { } refusal)
        {
            return Problem(ErrorCode.InvalidArgument, refusal);
        }

        var (displayName, displayNameError) = DisplayName.Normalize(request.DisplayName);
        if (displayNameError is not null)
        {
            return Problem(ErrorCode.InvalidArgument, displayNameError);
        }

        var lifetime = TimeSpan.MaxValue;
        if (request.Ttl is { } ttl && (!TimeSpan.TryParse(ttl, System.Globalization.CultureInfo.InvariantCulture, out lifetime) || lifetime <= TimeSpan.Zero))
        {
            return Problem(ErrorCode.InvalidArgument, "ttl is a positive duration (hh:mm:ss); it is capped by Jwt:AccessTokenLifetime");
        }

        var account = await appUsers.EnsureAsync(Address.Parse(request.Username!, directory.DefaultDomain), cancellationToken);
        logger.LogInformation("User token minted by a backend for {Account}", account.Address);
        return TypedResults.Ok(tokens.IssueForAppUser(account, lifetime, displayName));
    }

    private static async Task<Results<Ok<IssuedToken>, ProblemHttpResult>> Renew(
        HttpContext context, CallDirectory directory, AccountCheck accounts, TokenIssuer tokens, ILogger<UserTokenRequest> logger, CancellationToken cancellationToken)
    {
        var identity = CallerIdentity.From(context.User, directory.DefaultDomain);
        if (identity is null || identity.IsAnonymous || context.User.FindFirst(CallServerClaims.TokenKind)?.Value != CallServerClaims.BackendMinted)
        {
            return Problem(ErrorCode.Forbidden, "only a token minted by POST /api/v1/user-tokens is renewed this way");
        }

        if (await accounts.CurrentAccountAsync(context.User, identity, cancellationToken) is not { } account)
        {
            return Problem(ErrorCode.Unauthorized, "the token names no valid caller");
        }

        logger.LogInformation("User token renewed for {Account}", account.Address);
        return TypedResults.Ok(tokens.IssueForAppUser(account, TimeSpan.MaxValue, identity.DisplayName));
    }

    private static ProblemHttpResult Problem(ErrorCode code, string detail) => TypedResults.Problem(ApiProblem.Create(code, detail));
}

/// <summary>The body of <c>POST /api/v1/user-tokens</c>.</summary>
/// <param name="Username">The user (the local part of its address: letters, digits, '.', '_', '-').</param>
/// <param name="DisplayName">Shown to the people it calls; optional.</param>
/// <param name="Ttl">The token's lifetime (<c>hh:mm:ss</c>), capped by <c>Jwt:AccessTokenLifetime</c>; that lifetime when absent.</param>
public sealed record UserTokenRequest(string? Username, string? DisplayName, string? Ttl);
