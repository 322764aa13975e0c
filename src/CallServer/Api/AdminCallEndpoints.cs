using CallServer.Application;
using CallServer.Domain.Calls;
using CallServer.Domain.Views;
using CallServer.Outbox;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CallServer.Api;

/// <summary>
/// A call as the operator sees it (admin key, issue 18): its overall state, the parties, the times, each side's
/// custom parameters and quality reports so far, and the end. For a call in progress or ended within
/// <c>Calls:EndedCallRetention</c>; the record of an older call is in the webhooks and the history.
/// </summary>
public sealed record AdminCallResponse
{
    public required string CallId { get; init; }

    public required CallState State { get; init; }

    public required string Caller { get; init; }

    public required string Callee { get; init; }

    public required DateTime CreatedAt { get; init; }

    public DateTime? AnsweredAt { get; init; }

    public DateTime? EndedAt { get; init; }

    public EndReason? CallerEnd { get; init; }

    public EndReason? CalleeEnd { get; init; }

    public string? EndReasonText { get; init; }

    public required PartiesPayload<IReadOnlyDictionary<string, string>> CustomParameters { get; init; }

    public required PartiesPayload<CallQualityPayload> Quality { get; init; }

    public static AdminCallResponse Of(Call call) => new()
    {
        CallId = call.CallId,
        State = CallProjection.OverallState(call),
        Caller = call.Caller.Address.Value,
        Callee = call.Callee.Address.Value,
        CreatedAt = call.CreatedAt.UtcDateTime,
        AnsweredAt = call.AnsweredAt?.UtcDateTime,
        EndedAt = call.EndedAt?.UtcDateTime,
        CallerEnd = call.Caller.End?.Reason,
        CalleeEnd = call.Callee.End?.Reason,
        EndReasonText = call.EndReasonText,
        CustomParameters = new() { Caller = call.Caller.CustomParameters.Values, Callee = call.Callee.CustomParameters.Values },
        Quality = new() { Caller = CallQualityPayload.Of(call.Caller.Quality), Callee = CallQualityPayload.Of(call.Callee.Quality) },
    };
}

public static class AdminCallEndpoints
{
    public static void MapAdminCallEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/calls/{callId}", Get)
            .WithTags("Calls")
            .WithName("AdminGetCall")
            .WithSummary("Any call by its id, with each side's custom parameters and quality reports (admin key).")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Ok<AdminCallResponse>> Get(string callId, CallService calls, CancellationToken cancellationToken) =>
        // CallNotFound (and Unavailable) become their problems through CallRefusedExceptionHandler.
        TypedResults.Ok(AdminCallResponse.Of(await calls.GetStoredAsync(callId, cancellationToken)));
}
