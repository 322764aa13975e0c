using System.Collections.Immutable;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Sdp;

namespace CallServer.Adapters.Calls;

/// <summary>
/// The one mapping between the domain's <see cref="Call"/> and its stored form <see cref="StoredCall"/>.
/// Writes schema <see cref="CurrentSchema"/>; reads schema 0 (no <c>schema</c> field: the domain record as the
/// nodes before the versioned format serialised it, same field names) and schema 1; refuses a newer schema
/// with <see cref="StoredSchemaException"/> and a broken record with <see cref="StoredFormatException"/>.
/// </summary>
public static class StoredCallFormat
{
    public const int CurrentSchema = 1;

    /// <summary>The record to store for <paramref name="call"/>, always of the current schema.</summary>
    public static string Write(Call call) => StoredJson.Write(ToStored(call));

    /// <summary>The call a node of this version or an older one stored.</summary>
    public static Call Read(string record) => ToDomain(StoredJson.Read<StoredCall>(record, "call", CurrentSchema));

    public static StoredCall ToStored(Call call) => new()
    {
        Schema = CurrentSchema,
        CallId = call.CallId,
        Version = call.Version,
        Caller = ToStored(call.Caller),
        Callee = ToStored(call.Callee),
        Phase = NameOf(call.Phase),
        OfferKind = call.OfferKind is { } kind ? NameOf(kind) : null,
        Offer = call.Offer,
        Devices = [.. call.Devices.Select(d => new StoredCalleeDevice
        {
            DeviceId = d.DeviceId,
            Account = d.Account.Value,
            LocalEnd = ToStored(d.LocalEnd),
            EndedAt = d.EndedAt,
            Waiting = d.Waiting ? true : null,
        })],
        ForwardChain = [.. call.ForwardChain.Select(a => a.Value)],
        CandidatesForCallee = [.. call.CandidatesForCallee.Select(ToStored)],
        CandidatesFromDevices = [.. call.CandidatesFromDevices.Select(c => new StoredDeviceCandidate { DeviceId = c.DeviceId, Candidate = ToStored(c.Candidate) })],
        PendingOperation = call.PendingOperation is { } operation
            ? new StoredPendingOperation
            {
                OperationId = operation.OperationId,
                Operation = NameOf(operation.Operation),
                Initiator = NameOf(operation.Initiator),
                SdpOffer = operation.SdpOffer,
                PullingDevice = operation.PullingDevice,
            }
            : null,
        MovedFrom = call.MovedFrom.Count == 0 ? null : [.. call.MovedFrom.Select(m => new StoredMovedDevice { Side = NameOf(m.Side), DeviceId = m.DeviceId, MovedAt = m.MovedAt })],
        Transfer = call.Transfer is { } transfer
            ? new StoredTransfer
            {
                NewCallId = transfer.NewCallId,
                Kind = NameOf(transfer.Kind),
                Role = NameOf(transfer.Role),
                TransferorSide = NameOf(transfer.TransferorSide),
                Target = transfer.Target.Value,
                Stage = NameOf(transfer.Stage),
                OtherCallId = transfer.OtherCallId,
            }
            : null,
        TransferredFrom = call.TransferredFrom is { } origin
            ? new StoredTransferOrigin { CallId = origin.CallId, TransferredBy = origin.TransferredBy.Value, ReplacesCallId = origin.ReplacesCallId, TargetDevice = origin.TargetDevice }
            : null,
        CallerAllowedCallees = call.CallerAllowedCallees is { } allowed ? [.. allowed.Select(a => a.Value)] : null,
        RingGeneration = call.RingGeneration,
        WokenAccount = call.WokenAccount?.Value,
        WokenAt = call.WokenAt,
        RingingAt = call.RingingAt,
        HeldSince = call.HeldSince,
        HeldForMs = call.HeldFor > TimeSpan.Zero ? (long)call.HeldFor.TotalMilliseconds : null,
        CreatedAt = call.CreatedAt,
        AnsweredAt = call.AnsweredAt,
        EndedAt = call.EndedAt,
        EndReasonText = call.EndReasonText,
    };

    /// <summary>The domain call of a stored record of schema 0 or 1 (the two have the same fields).</summary>
    public static Call ToDomain(StoredCall stored) => new()
    {
        CallId = stored.CallId,
        Version = stored.Version,
        Caller = ToDomain(stored.Caller, "caller"),
        Callee = ToDomain(stored.Callee, "callee"),
        Phase = StoredJson.ParseName<CallPhase>(stored.Phase, NameOf, "phase"),
        OfferKind = stored.OfferKind is null ? null : StoredJson.ParseName<OfferKind>(stored.OfferKind, NameOf, "offerKind"),
        Offer = stored.Offer,
        Devices = [.. stored.Devices.Select(d => new CalleeDevice(
            Element(d, "devices").DeviceId,
            StoredJson.ParseAddress(d.Account, "device account"),
            ToDomain(d.LocalEnd, "device localEnd"))
        {
            EndedAt = d.EndedAt,
            Waiting = d.Waiting is true,
        })],
        ForwardChain = [.. stored.ForwardChain.Select(a => StoredJson.ParseAddress(a, "forwardChain address"))],
        CandidatesForCallee = [.. stored.CandidatesForCallee.Select(c => ToDomain(Element(c, "candidatesForCallee")))],
        CandidatesFromDevices = [.. stored.CandidatesFromDevices.Select(c => new DeviceCandidate(
            Element(c, "candidatesFromDevices").DeviceId,
            ToDomain(c.Candidate)))],
        PendingOperation = stored.PendingOperation is { } operation
            ? new PendingOperation(
                operation.OperationId,
                StoredJson.ParseName<MediaOperation>(operation.Operation, NameOf, "pendingOperation.operation"),
                StoredJson.ParseName<CallSide>(operation.Initiator, NameOf, "pendingOperation.initiator"),
                operation.SdpOffer)
            {
                PullingDevice = operation.PullingDevice,
            }
            : null,
        MovedFrom = [.. (stored.MovedFrom ?? []).Select(m => new MovedDevice(
            StoredJson.ParseName<CallSide>(m.Side, NameOf, "movedFrom.side"),
            m.DeviceId,
            m.MovedAt))],
        Transfer = stored.Transfer is { } transfer
            ? new CallTransfer(
                transfer.NewCallId,
                StoredJson.ParseName<TransferKind>(transfer.Kind, NameOf, "transfer.kind"),
                StoredJson.ParseName<TransferRole>(transfer.Role, NameOf, "transfer.role"),
                StoredJson.ParseName<CallSide>(transfer.TransferorSide, NameOf, "transfer.transferorSide"),
                StoredJson.ParseAddress(transfer.Target, "transfer.target"),
                StoredJson.ParseName<TransferStage>(transfer.Stage, NameOf, "transfer.stage"),
                transfer.OtherCallId)
            : null,
        TransferredFrom = stored.TransferredFrom is { } origin
            ? new TransferOrigin(origin.CallId, StoredJson.ParseAddress(origin.TransferredBy, "transferredFrom.transferredBy"), origin.ReplacesCallId, origin.TargetDevice)
            : null,
        CallerAllowedCallees = stored.CallerAllowedCallees is { } allowed ? [.. allowed.Select(a => StoredJson.ParseAddress(a, "callerAllowedCallees address"))] : null,
        RingGeneration = stored.RingGeneration,
        WokenAccount = stored.WokenAccount is null ? null : StoredJson.ParseAddress(stored.WokenAccount, "wokenAccount"),
        WokenAt = stored.WokenAt,
        RingingAt = stored.RingingAt,
        HeldSince = stored.HeldSince,
        HeldFor = TimeSpan.FromMilliseconds(stored.HeldForMs ?? 0),
        CreatedAt = stored.CreatedAt,
        AnsweredAt = stored.AnsweredAt,
        EndedAt = stored.EndedAt,
        EndReasonText = stored.EndReasonText,
    };

    private static StoredParty ToStored(PartyState party) => new()
    {
        Address = party.Address.Value,
        Account = party.Account.Value,
        DeviceId = party.DeviceId,
        DisplayName = party.DisplayName,
        Held = party.Held,
        Muted = party.Muted,
        SendsVideo = party.SendsVideo,
        Connected = party.Connected,
        GraceGeneration = party.GraceGeneration,
        End = ToStored(party.End),
        CustomParameters = party.CustomParameters.IsEmpty ? null : new Dictionary<string, string>(party.CustomParameters.Values, StringComparer.Ordinal),
        Quality = StoredQualityFormat.ToStored(party.Quality),
    };

    private static PartyState ToDomain(StoredParty party, string side) =>
        new(StoredJson.ParseAddress(party.Address, side + ".address"), StoredJson.ParseAddress(party.Account, side + ".account"), party.DeviceId)
        {
            DisplayName = party.DisplayName,
            Held = party.Held,
            Muted = party.Muted,
            SendsVideo = party.SendsVideo,
            Connected = party.Connected,
            GraceGeneration = party.GraceGeneration,
            End = ToDomain(party.End, side + ".end"),
            CustomParameters = party.CustomParameters is { } parameters ? CustomParameters.Of(parameters) : CustomParameters.None,
            Quality = StoredQualityFormat.ToDomain(party.Quality),
        };

    private static StoredCallEnd? ToStored(CallEnd? end) =>
        end is null ? null : new StoredCallEnd { Reason = NameOf(end.Reason), StatusCode = end.StatusCode };

    private static CallEnd? ToDomain(StoredCallEnd? end, string field) =>
        end is null ? null : new CallEnd(StoredJson.ParseName<EndReason>(end.Reason, NameOf, field + ".reason"), end.StatusCode);

    private static StoredIceCandidate ToStored(IceCandidate candidate) =>
        new() { Candidate = candidate.Candidate, SdpMid = candidate.SdpMid, SdpMLineIndex = candidate.SdpMLineIndex };

    private static IceCandidate ToDomain(StoredIceCandidate candidate) =>
        new(candidate.Candidate, candidate.SdpMid, candidate.SdpMLineIndex);

    /// <summary>A list element that JSON had as <c>null</c>, which no storage type allows.</summary>
    private static T Element<T>(T? element, string list)
        where T : class =>
        element ?? throw new StoredFormatException($"the stored call has a null in {list}");

    // The stored name of each enum value. These are the names the unversioned format wrote (the enum
    // members' names then); renaming a domain member must not change them.
    private static string NameOf(CallPhase phase) => phase switch
    {
        CallPhase.Initial => "Initial",
        CallPhase.Dialing => "Dialing",
        CallPhase.Ringing => "Ringing",
        CallPhase.Answering => "Answering",
        CallPhase.Connected => "Connected",
        CallPhase.Ended => "Ended",
        _ => throw Unnamed(phase),
    };

    private static string NameOf(OfferKind kind) => kind switch
    {
        OfferKind.Audio => "Audio",
        OfferKind.AudioWithInactiveVideo => "AudioWithInactiveVideo",
        OfferKind.Video => "Video",
        _ => throw Unnamed(kind),
    };

    private static string NameOf(EndReason reason) => reason switch
    {
        EndReason.EndedLocally => "EndedLocally",
        EndReason.EndedRemotely => "EndedRemotely",
        EndReason.Rejected => "Rejected",
        EndReason.Ignored => "Ignored",
        EndReason.NoAnswer => "NoAnswer",
        EndReason.Unavailable => "Unavailable",
        EndReason.Forwarded => "Forwarded",
        EndReason.AnsweredElsewhere => "AnsweredElsewhere",
        EndReason.Canceled => "Canceled",
        EndReason.ConnectionLost => "ConnectionLost",
        EndReason.Failed => "Failed",
        EndReason.MovedToAnotherDevice => "MovedToAnotherDevice",
        EndReason.Transferred => "Transferred",
        EndReason.Busy => "Busy",
        _ => throw Unnamed(reason),
    };

    private static string NameOf(MediaOperation operation) => operation switch
    {
        MediaOperation.HoldCall => "HoldCall",
        MediaOperation.UnholdCall => "UnholdCall",
        MediaOperation.VideoStart => "VideoStart",
        MediaOperation.VideoStop => "VideoStop",
        MediaOperation.PullCall => "PullCall",
        _ => throw Unnamed(operation),
    };

    private static string NameOf(TransferKind kind) => kind switch
    {
        TransferKind.Blind => "Blind",
        TransferKind.Consultative => "Consultative",
        _ => throw Unnamed(kind),
    };

    private static string NameOf(TransferRole role) => role switch
    {
        TransferRole.Transferee => "Transferee",
        TransferRole.Target => "Target",
        _ => throw Unnamed(role),
    };

    private static string NameOf(TransferStage stage) => stage switch
    {
        TransferStage.Trying => "Trying",
        TransferStage.Ringing => "Ringing",
        _ => throw Unnamed(stage),
    };

    private static string NameOf(CallSide side) => side switch
    {
        CallSide.Caller => "Caller",
        CallSide.Callee => "Callee",
        _ => throw Unnamed(side),
    };

    private static InvalidOperationException Unnamed<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        new($"{typeof(TEnum).Name}.{value} has no stored name: add one to {nameof(StoredCallFormat)} (see docs/architecture.md, stored format)");
}
