using CallServer.Application;
using CallServer.Auth;
using CallServer.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CallServer.Api;

/// <summary>Who a REST request's bearer token names, for the endpoints that act on a user's own data.</summary>
public static class BearerUser
{
    /// <summary>
    /// The bearer if it is a user whose account still exists; otherwise the refusal: 401 <c>Unauthorized</c>
    /// for no valid caller, 403 <c>Forbidden</c> (with <paramref name="anonymousRefusal"/>) for an anonymous one.
    /// </summary>
    public static async Task<(CallerIdentity? Identity, ProblemHttpResult? Refusal)> OfAsync(
        HttpContext context, CallDirectory directory, AccountCheck accounts, string anonymousRefusal, CancellationToken cancellationToken)
    {
        var identity = CallerIdentity.From(context.User, directory.DefaultDomain);
        if (identity is null || !await accounts.IsCurrentAsync(context.User, identity, cancellationToken))
        {
            return (null, TypedResults.Problem(ApiProblem.Create(ErrorCode.Unauthorized, "the token names no valid caller")));
        }

        return identity.IsAnonymous
            ? (null, TypedResults.Problem(ApiProblem.Create(ErrorCode.Forbidden, anonymousRefusal)))
            : (identity, null);
    }
}
