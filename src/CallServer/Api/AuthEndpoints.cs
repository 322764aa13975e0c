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
