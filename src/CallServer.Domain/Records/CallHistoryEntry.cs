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
    bool Video);

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
            entries.Add((callerAccount, new CallHistoryEntry(
                record.CallId, CallDirection.Outgoing, remote, null, Missed: false,
                record.CallerEnd.Reason, record.CallerEnd.StatusCode,
                record.CreatedAt, record.AnsweredAt, record.EndedAt, record.InCallDuration, record.Video)));
        }

        // A call ended before its offer never reached the callee: nothing to show there.
        if (!record.Offered)
        {
            return entries;
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
            entries.Add((account, new CallHistoryEntry(
                record.CallId, CallDirection.Incoming, record.Caller, record.CallerDisplayName, missed,
                reason, status, record.CreatedAt, answeredHere ? record.AnsweredAt : null, record.EndedAt,
                answeredHere ? record.InCallDuration : TimeSpan.Zero, record.Video)));
        }

        return entries;
    }
}
