using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Views;

namespace CallServer.Domain.Records;

/// <summary>
/// One call in one user's history, as that party saw it: the direction, the other party, whether it was
/// missed (an incoming call this account neither answered, rejected nor forwarded), and how it ended.
/// </summary>
public sealed record CallHistoryEntry(
    string CallId,
    CallDirection Direction,
    Address RemoteAddress,
    string? RemoteDisplayName,
    bool Missed,
    EndReason EndReason,
    int StatusCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset EndedAt,
    TimeSpan InCallDuration,
    bool Video)
{
    /// <summary>Added (issue 16): for a call placed by a transfer, the call it replaced and who transferred.</summary>
    public CallRecordTransfer? TransferredFrom { get; init; }

    /// <summary>Added (issue 16): for a call this user's side left by a transfer, the call that replaced it and its target.</summary>
    public CallRecordTransfer? TransferredTo { get; init; }

    /// <summary>Added (issue 16): when this user's call moved to another of its devices (<c>PullCall</c>), in order.</summary>
    public IReadOnlyList<DateTimeOffset> PulledAt { get; init; } = [];

    /// <summary>Added (issue 18): the free text given by the party that ended the call.</summary>
    public string? EndReasonText { get; init; }

    /// <summary>Added (issue 18): each side's custom parameters.</summary>
    public CustomParameters CallerParameters { get; init; } = CustomParameters.None;

    public CustomParameters CalleeParameters { get; init; } = CustomParameters.None;

    /// <summary>Added (issue 18): each side's quality reports (null: none).</summary>
    public CallQuality? CallerQuality { get; init; }

    public CallQuality? CalleeQuality { get; init; }
}

/// <summary>The history entries a call record gives, one per account that took part.</summary>
public static class CallHistoryEntries
{
    public static IReadOnlyList<(Address Account, CallHistoryEntry Entry)> Of(CallRecord record, Address callerAccount)
    {
        var entries = new List<(Address, CallHistoryEntry)>();
        var finalCallee = record.AnsweredBy ?? (record.ForwardChain.Count > 0 ? record.ForwardChain[^1] : record.Callee);

        // The caller (anonymous callers have no history: nobody can read it) sees whom it dialed (a number
        // stays a number, not the gateway account that took it), or, after a forward, the account it reached.
        if (!record.CallerAnonymous)
        {
            var remote = record.ForwardChain.Count > 1 ? finalCallee : record.Callee;
            entries.Add((callerAccount, WithMoves(record, CallSide.Caller, new CallHistoryEntry(
                record.CallId, CallDirection.Outgoing, remote, null, Missed: false,
                record.CallerEnd.Reason, record.CallerEnd.StatusCode,
                record.CreatedAt, record.AnsweredAt, record.EndedAt, record.InCallDuration, record.Video))));
        }

        // A call ended before its offer never reached the callee: nothing to show there.
        if (!record.Offered)
        {
            return WithCallFacts(record, entries);
        }

        // Every account the call was offered to (the forward chain), as it saw the call.
        var offered = record.ForwardChain.Count > 0 ? record.ForwardChain : [record.Callee];
        foreach (var account in offered.Distinct())
        {
            var isFinal = account == finalCallee;
            var answeredHere = record.AnsweredBy == account;
            var reason = isFinal ? record.CalleeEnd.Reason : EndReason.Forwarded;
            var status = isFinal ? record.CalleeEnd.StatusCode : CallStatusCodes.CallForwarded;
            var missed = !answeredHere && reason is not (EndReason.Rejected or EndReason.Forwarded);
            var entry = new CallHistoryEntry(
                record.CallId, CallDirection.Incoming, record.Caller, record.CallerDisplayName, missed,
                reason, status, record.CreatedAt, answeredHere ? record.AnsweredAt : null, record.EndedAt,
                answeredHere ? record.InCallDuration : TimeSpan.Zero, record.Video);
            entries.Add((account, answeredHere ? WithMoves(record, CallSide.Callee, entry) : entry with { TransferredFrom = record.TransferredFrom }));
        }

        return WithCallFacts(record, entries);
    }

    /// <summary>What every entry of the call shows: the end reason text, both sides' custom parameters and quality.</summary>
    private static List<(Address, CallHistoryEntry)> WithCallFacts(CallRecord record, List<(Address Account, CallHistoryEntry Entry)> entries) =>
        [.. entries.Select(e => (e.Account, e.Entry with
        {
            EndReasonText = record.EndReasonText,
            CallerParameters = record.CallerParameters,
            CalleeParameters = record.CalleeParameters,
            CallerQuality = record.CallerQuality,
            CalleeQuality = record.CalleeQuality,
        }))];

    /// <summary>The transfers of the call, and the moves of <paramref name="side"/> between its own devices.</summary>
    private static CallHistoryEntry WithMoves(CallRecord record, CallSide side, CallHistoryEntry entry) => entry with
    {
        TransferredFrom = record.TransferredFrom,
        TransferredTo = record.TransferredTo,
        PulledAt = [.. record.PulledFrom.Where(move => move.Side == side).Select(move => move.MovedAt)],
    };
}
