using CallServer.Application;
using CallServer.Auth;
using CallServer.Domain.Commands;
using CallServer.Domain.Views;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CallServer.Api;

public static class CallEndpoints
{
    public static void MapCallEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/calls/{callId}", Get)
            .WithTags("Calls")
            .WithName("GetCall")
            .WithSummary("A call as the requesting party sees it (bearer token of a party).")
            .RequireAuthorization(AuthPolicies.AnyCaller)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Ok<CallSnapshot>, ProblemHttpResult>> Get(string callId, HttpContext context, CallService calls, CallDirectory directory, AccountCheck accounts, CancellationToken cancellationToken)
    {
        var identity = CallerIdentity.From(context.User, directory.DefaultDomain);
        if (identity is null || !await accounts.IsCurrentAsync(context.User, identity, cancellationToken))
        {
            return TypedResults.Problem(ApiProblem.Create(Domain.Errors.ErrorCode.Unauthorized, "the token names no valid caller"));
        }

        // CallNotFound (and Unavailable) become their problems through CallRefusedExceptionHandler.
        return TypedResults.Ok(await calls.GetAsync(callId, new Requester(identity.Account, null), cancellationToken));
    }
}
