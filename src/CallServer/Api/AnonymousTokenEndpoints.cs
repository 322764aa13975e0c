using System.Security.Cryptography;
using CallServer.Application;
using CallServer.Auth;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace CallServer.Api;

public static class AnonymousTokenEndpoints
{
    private const int MaxAllowedCallees = 32;

    public static void MapAnonymousTokenEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/anonymous-tokens", Issue)
            .WithTags("Auth")
            .WithName("IssueAnonymousToken")
            .WithSummary("Mints a short-lived token for an anonymous caller (server-side, with X-Api-Key; public only where configured).")
            .RequireRateLimiting(RateLimitPolicies.AnonymousTokens)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        api.MapPost("/anonymous-tokens/renew", Renew)
            .WithTags("Auth")
            .WithName("RenewAnonymousToken")
            .WithSummary("Renews an anonymous token before it expires: the same anonymous address, allowed callees and display name, a new expiry; the caller's calls go on (reconnect with the new token and ResumeCall).")
            .RequireAuthorization(AuthPolicies.AnyCaller)
            .RequireRateLimiting(RateLimitPolicies.AnonymousTokens)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    /// <summary>
    /// An anonymous caller's identity lives only in its token, and a call is bound to that identity: so a
    /// still-valid anonymous token may be exchanged for a new one of the same identity, whose connection
    /// can <c>ResumeCall</c> the calls of the old one. A user's token cannot (users log in again).
    /// </summary>
    private static Results<Ok<IssuedToken>, ProblemHttpResult> Renew(HttpContext context, IOptions<AnonymousCallsOptions> options, CallDirectory directory, TokenIssuer tokens, ILogger<AnonymousTokenRequest> logger)
    {
        var identity = CallerIdentity.From(context.User, directory.DefaultDomain);
        if (identity is not { IsAnonymous: true })
        {
            return Problem(ErrorCode.Forbidden, "only an anonymous token is renewed this way; users request a new token with their credentials");
        }

        logger.LogInformation("Anonymous token renewed for {Account}", identity.Account);
        return TypedResults.Ok(tokens.IssueForAnonymous(identity.Account, options.Value.TokenLifetime, identity.DisplayName, identity.AllowedCallees?.ToList() ?? []));
    }

    private static async Task<Results<Ok<IssuedToken>, ProblemHttpResult>> Issue(
        [FromBody] AnonymousTokenRequest? request,
        [FromHeader(Name = ApiKeys.ApiKeyHeader)] string? apiKey,
        IOptions<AnonymousCallsOptions> options,
        CallDirectory directory,
        TokenIssuer tokens,
        ILogger<AnonymousTokenRequest> logger,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!ApiKeys.Matches(apiKey, settings.ApiKeys) && !settings.AllowPublicTokens)
        {
            return Problem(ErrorCode.Unauthorized, $"a valid {ApiKeys.ApiKeyHeader} is required to mint anonymous tokens");
        }

        request ??= new AnonymousTokenRequest(null, null, null);
        var lifetime = settings.TokenLifetime;
        if (request.TtlSeconds is { } ttl)
        {
            if (ttl <= 0 || ttl > settings.TokenLifetime.TotalSeconds)
            {
                return Problem(ErrorCode.InvalidArgument, $"ttlSeconds is 1 to {settings.TokenLifetime.TotalSeconds:0}");
            }

            lifetime = TimeSpan.FromSeconds(ttl);
        }

        var (displayName, displayNameError) = DisplayName.Normalize(request.DisplayName);
        if (displayNameError is not null)
        {
            return Problem(ErrorCode.InvalidArgument, displayNameError);
        }

        if (request.AllowedCallees is { Count: > MaxAllowedCallees })
        {
            return Problem(ErrorCode.InvalidArgument, $"at most {MaxAllowedCallees} allowed callees");
        }

        // A trusted server-side component learns which callees do not exist; a public client does not
        // (that would let anyone probe the user list): its token simply cannot reach them.
        var trusted = ApiKeys.Matches(apiKey, settings.ApiKeys);
        var callees = new List<Address>();
        foreach (var text in request.AllowedCallees ?? [])
        {
            var callee = directory.Parse(text);
            if (callee is not { Kind: AddressKind.User })
            {
                return Problem(ErrorCode.InvalidAddress, $"'{text}' is not a registered user's address");
            }

            if (trusted && await directory.RingAccountOfAsync(callee, cancellationToken) is null)
            {
                return Problem(ErrorCode.CalleeNotFound, $"no registered user {callee}");
            }

            callees.Add(callee);
        }

        var address = Address.Parse(Address.AnonymousPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), directory.DefaultDomain);
        logger.LogInformation("Anonymous token issued for {Account}, {CalleeCount} allowed callees", address, callees.Count);
        return TypedResults.Ok(tokens.IssueForAnonymous(address, lifetime, displayName, callees));
    }

    private static ProblemHttpResult Problem(ErrorCode code, string detail) => TypedResults.Problem(ApiProblem.Create(code, detail));
}
