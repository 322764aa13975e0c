using CallServer.Cluster;
using CallServer.Domain.Ports;
using CallServer.Hubs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CallServer.Api;

/// <summary>Liveness (the process answers) and readiness (the call store is reachable).</summary>
public static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Ok(new HealthResponse("ok")))
            .WithTags("Health").WithName("Liveness").WithSummary("The process is alive.");
        app.MapGet("/readyz", Ready)
            .WithTags("Health").WithName("Readiness").WithSummary("The call store is reachable.");
    }

    private static async Task<Results<Ok<HealthResponse>, JsonHttpResult<HealthResponse>>> Ready(ICallStore store, NodeDrain drain, ILogger<HealthResponse> logger, CancellationToken cancellationToken)
    {
        if (drain.IsDraining)
        {
            return TypedResults.Json(new HealthResponse("draining"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            await store.PingAsync(cancellationToken);
            return TypedResults.Ok(new HealthResponse("ready"));
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.LogDebug("Readiness check failed: the call store is unreachable: {Error}", exception.Message);
            return TypedResults.Json(new HealthResponse("store unreachable"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
