using CallServer.Auth;
using CallServer.Domain.Errors;
using CallServer.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CallServer.Api;

public static class AuthEndpoints
{
    public static void MapAuthEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/token", IssueToken)
            .WithTags("Auth")
            .WithName("IssueToken")
            .WithSummary("Exchanges a user's credentials for an access token (JWT) for the hub and the REST API.")
            .RequireRateLimiting(RateLimitPolicies.Login)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapGet("/auth/me", WhoAmI)
            .WithTags("Auth")
            .WithName("WhoAmI")
            .WithSummary("Who the bearer token names: its CallServer address (for a token of the app's identity provider, the address it maps to), display name, and whether it is anonymous.")
            .RequireAuthorization(AuthPolicies.AnyCaller)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static async Task<Results<Ok<WhoAmIResponse>, ProblemHttpResult>> WhoAmI(
        HttpContext context, Application.CallDirectory directory, AccountCheck accounts, CancellationToken cancellationToken)
    {
        var identity = CallerIdentity.From(context.User, directory.DefaultDomain);
        if (identity is null || !await accounts.IsCurrentAsync(context.User, identity, cancellationToken))
        {
            return TypedResults.Problem(ApiProblem.Create(ErrorCode.Unauthorized, "the token names no valid caller"));
        }

        return TypedResults.Ok(new WhoAmIResponse(identity.Account.Value, identity.DisplayName, identity.IsAnonymous));
    }

    private static async Task<Results<Ok<IssuedToken>, ProblemHttpResult>> IssueToken(
        [FromBody] TokenRequest request, UserRegistration registration, TokenIssuer tokens, ILogger<TokenRequest> logger, CancellationToken cancellationToken)
    {
        var account = await registration.VerifyAsync(request.Username, request.Password, cancellationToken);
        if (account is null)
        {
            logger.LogInformation("Token refused: wrong credentials");
            return TypedResults.Problem(ApiProblem.Create(ErrorCode.Unauthorized, "unknown user or wrong password"));
        }

        logger.LogInformation("Token issued to {Account}", account.Address);
        return TypedResults.Ok(tokens.IssueForUser(account));
    }
}

/// <summary>The answer of <c>GET /api/v1/auth/me</c>.</summary>
/// <param name="Address">The caller's CallServer address.</param>
/// <param name="DisplayName">The display name its token gives, if any.</param>
/// <param name="Anonymous">An anonymous caller.</param>
public sealed record WhoAmIResponse(string Address, string? DisplayName, bool Anonymous);
