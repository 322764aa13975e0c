using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Sdp;

namespace CallServer.Domain.Records;

/// <summary>How a call ended for one side.</summary>
public sealed record CallRecordEnd(EndReason Reason, int StatusCode);

/// <summary>The call of <paramref name="Side"/> moved to another device of its account at <paramref name="MovedAt"/>.</summary>
public sealed record CallRecordMove(CallSide Side, DateTimeOffset MovedAt);

/// <summary>
/// A transfer the call took part in (issue 16): the other call (the one it came from, or the one that replaced
/// it), who transferred, and for the replaced call the target.
/// </summary>
public sealed record CallRecordTransfer(string CallId, Address TransferredBy, Address? Target = null);

/// <summary>
/// The record of an ended call, written when it ends (webhook <c>call.ended</c>, call history): who called
/// whom (the callee first dialed, and the account that answered after forwards), the forward chain, the
/// times, the duration in call, each side's end, and the media. <see cref="Offered"/>: the caller sent its
/// offer (<c>EstablishCall</c>); a call ended before it never reached the callee.
/// </summary>
public sealed record CallRecord(
    string CallId,
    Address Caller,
    string? CallerDisplayName,
    bool CallerAnonymous,
    Address Callee,
    Address? AnsweredBy,
    IReadOnlyList<Address> ForwardChain,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RingingAt,
    DateTimeOffset? AnsweredAt,
    DateTimeOffset EndedAt,
    TimeSpan InCallDuration,
    CallRecordEnd CallerEnd,
    CallRecordEnd CalleeEnd,
    bool Video,
    TimeSpan TimeOnHold,
    bool Offered = true)
{
    /// <summary>Added (issue 16): each time a party's call moved to another of its devices (<c>PullCall</c>), in order.</summary>
    public IReadOnlyList<CallRecordMove> PulledFrom { get; init; } = [];

    /// <summary>Added (issue 16): for a call placed by a transfer, the call it replaced and who transferred.</summary>
    public CallRecordTransfer? TransferredFrom { get; init; }

    /// <summary>Added (issue 16): for a call that ended <see cref="EndReason.Transferred"/>, the call that replaced it and its target.</summary>
    public CallRecordTransfer? TransferredTo { get; init; }

    /// <summary>Added (issue 18): the free text given by the party that ended the call (<c>EndCall(callId, reason)</c>).</summary>
    public string? EndReasonText { get; init; }

    /// <summary>Added (issue 18): each side's custom parameters, merged over the call (empty when none).</summary>
    public CustomParameters CallerParameters { get; init; } = CustomParameters.None;

    public CustomParameters CalleeParameters { get; init; } = CustomParameters.None;

    /// <summary>Added (issue 18): each side's quality reports (null: the side sent none).</summary>
    public CallQuality? CallerQuality { get; init; }

    public CallQuality? CalleeQuality { get; init; }

    /// <summary>The record of <paramref name="call"/>, which must have ended.</summary>
    public static CallRecord Of(Call call)
    {
        if (call.Phase != CallPhase.Ended || call.EndedAt is not { } endedAt)
        {
            throw new ArgumentException("only an ended call has a record", nameof(call));
        }

        // The callee first dialed: the address the caller typed (a number for PSTN), unless the call
        // was forwarded, then the first account it was offered to.
        var callee = call.ForwardChain.Count > 1 ? call.ForwardChain[0] : call.Callee.Address;
        var video = call.OfferKind == OfferKind.Video || call.Caller.SendsVideo || call.Callee.SendsVideo;
        return new CallRecord(
            call.CallId,
            call.Caller.Address,
            call.Caller.DisplayName,
            call.Caller.Account.Kind == AddressKind.Anonymous,
            callee,
            call.AnsweredAt is null ? null : call.Callee.Account,
            call.ForwardChain,
            call.CreatedAt,
            call.RingingAt,
            call.AnsweredAt,
            endedAt,
            call.AnsweredAt is { } answeredAt ? endedAt - answeredAt : TimeSpan.Zero,
            End(call.Caller),
            End(call.Callee),
            video,
            call.HeldFor,
            call.Offer is not null)
        {
            PulledFrom = call.MovedFrom.Count == 0 ? [] : [.. call.MovedFrom.Select(moved => new CallRecordMove(moved.Side, moved.MovedAt))],
            TransferredFrom = call.TransferredFrom is { } origin ? new CallRecordTransfer(origin.CallId, origin.TransferredBy) : null,
            TransferredTo = call.Transfer is { } transfer && call.Caller.End?.Reason == EndReason.Transferred
                ? new CallRecordTransfer(transfer.NewCallId, call.Party(transfer.TransferorSide).Address, transfer.Target)
                : null,
            EndReasonText = call.EndReasonText,
            CallerParameters = call.Caller.CustomParameters,
            CalleeParameters = call.Callee.CustomParameters,
            CallerQuality = call.Caller.Quality,
            CalleeQuality = call.Callee.Quality,
        };
    }

    private static CallRecordEnd End(PartyState party) =>
        party.End is { } end ? new CallRecordEnd(end.Reason, end.StatusCode) : new CallRecordEnd(EndReason.Failed, CallStatusCodes.EndedByError);
}
