using System.Globalization;
using System.Text.RegularExpressions;
using CallServer.Application;
using CallServer.Auth;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Domain.Records;
using CallServer.Domain.Views;
using CallServer.History;
using CallServer.Ports;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CallServer.Api;

/// <summary>One call in a user's history, as that user saw it.</summary>
/// <param name="CallId">The call.</param>
/// <param name="Direction"><c>incoming</c> or <c>outgoing</c>.</param>
/// <param name="RemoteAddress">The other party: the caller of an incoming call; the account that answered (or was rung last) of an outgoing one.</param>
/// <param name="RemoteDisplayName">The caller's display name, for incoming calls that had one; else null.</param>
/// <param name="Missed">An incoming call this user neither answered, rejected nor forwarded.</param>
/// <param name="EndReason">How the call ended for this user (the contract's end reasons).</param>
/// <param name="StatusCode">The status code of that end.</param>
/// <param name="CreatedAt">When the call was created (UTC, to the millisecond).</param>
/// <param name="AnsweredAt">When this user's side was answered; null if it never was.</param>
/// <param name="EndedAt">When the call ended; the order of the history (then the call id).</param>
/// <param name="DurationSeconds">Time in call for this user, in seconds (to the millisecond); 0 when not answered.</param>
/// <param name="Video">Whether the call had video.</param>
public sealed record CallHistoryItem(
    string CallId,
    string Direction,
    string RemoteAddress,
    string? RemoteDisplayName,
    bool Missed,
    string EndReason,
    int StatusCode,
    DateTime CreatedAt,
    DateTime? AnsweredAt,
    DateTime EndedAt,
    double DurationSeconds,
    bool Video)
{
    /// <summary>Added (issue 16): for a call placed by a transfer, the call it replaced and who transferred; null otherwise.</summary>
    public CallHistoryTransfer? TransferredFrom { get; init; }

    /// <summary>Added (issue 16): for a call this user left by a transfer, the call that replaced it, who transferred and the target; null otherwise.</summary>
    public CallHistoryTransfer? TransferredTo { get; init; }

    /// <summary>Added (issue 16): when this user's call moved to another of its devices (<c>PullCall</c>), in order; empty when never.</summary>
    public IReadOnlyList<DateTime> PulledAt { get; init; } = [];

    /// <summary>Added (issue 18): the free text given by the party that ended the call.</summary>
    public string? EndReasonText { get; init; }

    /// <summary>Added (issue 18): each side's custom parameters; null when neither sent any.</summary>
    public Outbox.PartiesPayload<IReadOnlyDictionary<string, string>>? CustomParameters { get; init; }

    /// <summary>Added (issue 18): each side's quality reports; null when neither sent any.</summary>
    public Outbox.PartiesPayload<Outbox.CallQualityPayload>? Quality { get; init; }

    /// <summary>Added (issue 20): the cursor of this entry, an opaque string: passed back as <c>next</c>, the page holds the entries after it.</summary>
    public required string Next { get; init; }

    public static CallHistoryItem Of(CallHistoryEntry entry) => new(
        entry.CallId,
        DirectionName(entry.Direction),
        entry.RemoteAddress.Value,
        entry.RemoteDisplayName,
        entry.Missed,
        entry.EndReason.ToString(),
        entry.StatusCode,
        entry.CreatedAt.UtcDateTime,
        entry.AnsweredAt?.UtcDateTime,
        entry.EndedAt.UtcDateTime,
        Math.Round(entry.InCallDuration.TotalSeconds, 3),
        entry.Video)
    {
        TransferredFrom = CallHistoryTransfer.Of(entry.TransferredFrom),
        TransferredTo = CallHistoryTransfer.Of(entry.TransferredTo),
        PulledAt = [.. entry.PulledAt.Select(at => at.UtcDateTime)],
        EndReasonText = entry.EndReasonText,
        CustomParameters = entry.CallerParameters.IsEmpty && entry.CalleeParameters.IsEmpty ? null : new() { Caller = entry.CallerParameters.Values, Callee = entry.CalleeParameters.Values },
        Quality = entry.CallerQuality is null && entry.CalleeQuality is null ? null : new() { Caller = Outbox.CallQualityPayload.Of(entry.CallerQuality), Callee = Outbox.CallQualityPayload.Of(entry.CalleeQuality) },
        Next = new CallHistoryCursor(CallHistoryOrder.Score(entry), entry.CallId).ToString(),
    };

    /// <summary>The wire name of a direction (the API's own, whatever the store writes).</summary>
    public static string DirectionName(CallDirection direction) => direction switch
    {
        CallDirection.Incoming => "incoming",
        CallDirection.Outgoing => "outgoing",
        _ => throw new ArgumentOutOfRangeException(nameof(direction), direction, "an unknown direction"),
    };
}

/// <summary>A transfer a history entry took part in: the other call, who transferred, and (for the call left) the target.</summary>
public sealed record CallHistoryTransfer(string CallId, string TransferredBy, string? Target)
{
    public static CallHistoryTransfer? Of(CallRecordTransfer? transfer) =>
        transfer is null ? null : new(transfer.CallId, transfer.TransferredBy.Value, transfer.Target?.Value);
}

public static class CallHistoryEndpoints
{
    private const string PageDescription =
        "Query: limit, 1 to 200 items (50 when absent); next, the `next` of the last item of the page before: the entries after it, "
        + "each exactly once (a full page also has a Link header, rel=\"next\", with it); before, an ISO 8601 time: only calls that ended "
        + "strictly before it (not with next). Bad values are 400 InvalidArgument.";

    public static void MapCallHistoryEndpoints(this RouteGroupBuilder api)
    {
        var history = api.MapGroup("/call-history")
            .WithTags("Call history")
            .RequireAuthorization(AuthPolicies.AnyCaller)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        history.MapGet("/", List)
            .WithName("ListCallHistory")
            .WithSummary("The caller's own calls, newest first (by endedAt, then callId), as the caller saw them; page with next = the last item's next. A user's token only.")
            .WithDescription(PageDescription)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        history.MapDelete("/{callId}", Remove)
            .WithName("DeleteCallHistoryEntry")
            .WithSummary("Removes one call from the caller's history; its devices get CallHistoryChanged (removed).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        history.MapDelete("/", Clear)
            .WithName("ClearCallHistory")
            .WithSummary("Removes every call from the caller's history; its devices get CallHistoryChanged (cleared).");
        api.MapGet("/users/{username}/call-history", ListOfUser)
            .WithTags("Users")
            .WithName("ListUserCallHistory")
            .WithSummary("A user's calls, newest first, as that user saw them (admin key).")
            .WithDescription(PageDescription)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<Results<Ok<IReadOnlyList<CallHistoryItem>>, ProblemHttpResult>> List(
        string? limit, string? before, string? next, HttpContext context, CallDirectory directory, AccountCheck accounts, CallHistoryService history, CancellationToken cancellationToken)
    {
        var (identity, refusal) = await UserOf(context, directory, accounts, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        var (page, error) = CallHistoryQuery.Parse(limit, before, next);
        if (error is not null)
        {
            return Problem(ErrorCode.InvalidArgument, error);
        }

        return TypedResults.Ok(await ItemsAsync(history, identity!.Account, page!, context, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Remove(
        string callId, HttpContext context, CallDirectory directory, AccountCheck accounts, CallHistoryService history, CancellationToken cancellationToken)
    {
        var (identity, refusal) = await UserOf(context, directory, accounts, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        return await history.RemoveAsync(identity!.Account, callId, cancellationToken)
            ? TypedResults.NoContent()
            : Problem(ErrorCode.CallNotFound, "no call of that id in your call history");
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Clear(
        HttpContext context, CallDirectory directory, AccountCheck accounts, CallHistoryService history, CancellationToken cancellationToken)
    {
        var (identity, refusal) = await UserOf(context, directory, accounts, cancellationToken);
        if (refusal is not null)
        {
            return refusal;
        }

        await history.ClearAsync(identity!.Account, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<IReadOnlyList<CallHistoryItem>>, ProblemHttpResult>> ListOfUser(
        string username, string? limit, string? before, string? next, HttpContext context, IUserDirectory users, CallDirectory directory, CallHistoryService history, CancellationToken cancellationToken)
    {
        var account = directory.Parse(username) is { } address ? await users.FindAsync(address, cancellationToken) : null;
        if (account is null)
        {
            return Problem(ErrorCode.CalleeNotFound, $"no registered user {username}");
        }

        var (page, error) = CallHistoryQuery.Parse(limit, before, next);
        if (error is not null)
        {
            return Problem(ErrorCode.InvalidArgument, error);
        }

        return TypedResults.Ok(await ItemsAsync(history, account.Address, page!, context, cancellationToken));
    }

    /// <summary>The page's items; a full page also links to the next one (RFC 8288 <c>Link</c>, <c>rel="next"</c>).</summary>
    private static async Task<IReadOnlyList<CallHistoryItem>> ItemsAsync(
        CallHistoryService history, Domain.Addresses.Address account, CallHistoryPage page, HttpContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<CallHistoryItem> items = [.. (await history.ListAsync(account, page, cancellationToken)).Select(CallHistoryItem.Of)];
        if (items.Count == page.Limit && items.Count > 0)
        {
            var request = context.Request;
            var query = QueryString.Create(new KeyValuePair<string, string?>[] { new("limit", page.Limit.ToString(CultureInfo.InvariantCulture)), new("next", items[^1].Next) });
            context.Response.Headers.Link = $"<{request.PathBase}{request.Path}{query}>; rel=\"next\"";
        }

        return items;
    }

    private static Task<(CallerIdentity? Identity, ProblemHttpResult? Refusal)> UserOf(HttpContext context, CallDirectory directory, AccountCheck accounts, CancellationToken cancellationToken) =>
        BearerUser.OfAsync(context, directory, accounts, "anonymous callers have no call history", cancellationToken);

    private static ProblemHttpResult Problem(ErrorCode code, string detail) => TypedResults.Problem(ApiProblem.Create(code, detail));
}

/// <summary>
/// The query of a history read: <c>limit</c> 1 to <see cref="MaxLimit"/> (default <see cref="DefaultLimit"/>), <c>next</c> a
/// cursor (<see cref="CallHistoryCursor"/>, an item's <c>next</c>), <c>before</c> an ISO 8601 time (not with <c>next</c>).
/// </summary>
public static partial class CallHistoryQuery
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static (CallHistoryPage? Page, string? Error) Parse(string? limit, string? before, string? next = null)
    {
        var count = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out count) || count is < 1 or > MaxLimit))
        {
            return (null, $"limit is a whole number from 1 to {MaxLimit}");
        }

        if (before is not null && next is not null)
        {
            return (null, "give next or before, not both");
        }

        CallHistoryCursor? after = null;
        if (next is not null && (after = CallHistoryCursor.Parse(next)) is null)
        {
            return (null, "next is the next of an item of the page before, as the server sent it");
        }

        DateTimeOffset? until = null;
        if (before is not null)
        {
            if (!IsoTimePattern().IsMatch(before)
                || !DateTimeOffset.TryParse(before, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                return (null, "before is an ISO 8601 time, e.g. 2025-03-14T09:26:53.123Z");
            }

            until = time;
        }

        return (new CallHistoryPage(count, until) { After = after }, null);
    }

    [GeneratedRegex(@"\A\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?\z")]
    private static partial Regex IsoTimePattern();
}
