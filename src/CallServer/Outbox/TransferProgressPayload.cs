using CallServer.Domain.Calls;
using CallServer.Domain.Commands;

namespace CallServer.Outbox;

/// <summary>
/// How a call placed by a transfer went, for a call it replaces (<see cref="CallId"/>): it rang, was answered
/// (<c>Succeeded</c>) or ended unanswered (<c>Failed</c>, with how it ended for its callee). Applied to that
/// call as <see cref="TransferProgressed"/>; applying it twice changes nothing more.
/// </summary>
public sealed record TransferProgressPayload
{
    /// <summary>The call that hears of it: the transferee's old call, or the consultation call.</summary>
    public required string CallId { get; init; }

    public required string NewCallId { get; init; }

    /// <summary>A <see cref="TransferProgress"/> by name.</summary>
    public required string Progress { get; init; }

    /// <summary>For <c>Failed</c>: the new call's end reason for its callee, by name.</summary>
    public string? Reason { get; init; }

    /// <summary>The message of what the change says to the replaced calls (the decider's <c>TransferProgressOf</c>), or null.</summary>
    public static TransferProgressPayload? Between(Call before, Call after) =>
        Domain.Decisions.CallDecider.TransferProgressOf(before, after) is { } progress
            ? new TransferProgressPayload
            {
                CallId = after.TransferredFrom!.CallId,
                NewCallId = after.CallId,
                Progress = progress.ToString(),
                Reason = progress == TransferProgress.Failed ? after.Callee.End?.Reason.ToString() : null,
            }
            : null;

    /// <summary>The command for the replaced call; <see cref="System.Text.Json.JsonException"/> for a payload no writer makes.</summary>
    public TransferProgressed ToCommand() => new(
        NewCallId,
        Enum.TryParse<TransferProgress>(Progress, ignoreCase: false, out var progress) && Enum.IsDefined(progress) && progress.ToString() == Progress
            ? progress
            : throw new System.Text.Json.JsonException($"'{Progress}' is not a transfer progress"),
        Reason is null ? null : Enum.TryParse<EndReason>(Reason, ignoreCase: false, out var reason) && Enum.IsDefined(reason) ? reason : EndReason.Failed);
}
