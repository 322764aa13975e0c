using CallServer.Auth;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CallServer.Api;

/// <summary>One ICE server entry, as RTCPeerConnection's <c>iceServers</c> takes it.</summary>
public sealed record IceServer(IReadOnlyList<string> Urls, string? Username = null, string? Credential = null);

public sealed record IceServersResponse(IReadOnlyList<IceServer> IceServers, int TtlSeconds);

public static class IceServerEndpoints
{
    public static void MapIceServerEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/ice-servers", Get)
            .WithTags("Calls")
            .WithName("GetIceServers")
            .WithSummary("The STUN/TURN servers to use, with ephemeral TURN credentials (bearer token).")
            .RequireAuthorization(AuthPolicies.AnyCaller)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }

    private static async Task<Results<Ok<IceServersResponse>, ProblemHttpResult>> Get(HttpContext context, IOptions<IceServersOptions> options, CallServer.Application.CallDirectory directory, AccountCheck accounts, TimeProvider clock, CancellationToken cancellationToken)
    {
        var identity = CallerIdentity.From(context.User, directory.DefaultDomain);
        if (identity is null || !await accounts.IsCurrentAsync(context.User, identity, cancellationToken))
        {
            return TypedResults.Problem(ApiProblem.Create(ErrorCode.Unauthorized, "the token names no valid caller"));
        }

        var settings = options.Value;
        var servers = new List<IceServer>();
        if (settings.StunUrls.Count > 0)
        {
            servers.Add(new IceServer(settings.StunUrls));
        }

        if (settings.TurnUrls.Count > 0 && !string.IsNullOrEmpty(settings.TurnSecret))
        {
            var (username, credential) = TurnCredentials.Create(settings.TurnSecret, identity.Account.Value, clock.GetUtcNow() + settings.CredentialLifetime);
            servers.Add(new IceServer(settings.TurnUrls, username, credential));
        }

        return TypedResults.Ok(new IceServersResponse(servers, (int)settings.CredentialLifetime.TotalSeconds));
    }
}
