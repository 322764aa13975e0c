using CallServer.Domain.Calls;
using CallServer.Domain.Views;

namespace CallServer.Domain.Notifications;

/// <summary>
/// Something a party's device must be told, named after the contract's events. <see cref="To"/> is
/// the viewer: its device receives it, and snapshots in it are projected for it.
/// </summary>
public abstract record CallNotification(CallViewer To);

public sealed record IncomingCallNotification(CallViewer To, string SdpOffer) : CallNotification(To);

public sealed record CallStatusChangedNotification(CallViewer To) : CallNotification(To);

public sealed record RemoteDescriptionNotification(CallViewer To, string Type, string Sdp) : CallNotification(To);

public sealed record RenegotiationRequestedNotification(CallViewer To, string OperationId, MediaOperation Operation, string SdpOffer) : CallNotification(To);

public sealed record CallOperationCompletedNotification(
    CallViewer To,
    string OperationId,
    MediaOperation Operation,
    bool Succeeded,
    string? Error,
    string? SdpAnswer) : CallNotification(To);

public sealed record MediaAttributesChangedNotification(CallViewer To) : CallNotification(To);

public sealed record IceCandidateNotification(CallViewer To, IceCandidate Candidate) : CallNotification(To);

/// <summary><c>TransferRequested</c>: the transferee's device is to place <paramref name="NewCallId"/> with its own offer.</summary>
public sealed record TransferRequestedNotification(CallViewer To, string NewCallId, string Target, string TransferredBy) : CallNotification(To);

/// <summary><c>TransferConnected</c>: the target's device is to accept <paramref name="NewCallId"/> without ringing (consultative transfer).</summary>
public sealed record TransferConnectedNotification(CallViewer To, string NewCallId, string TransferredBy) : CallNotification(To);

/// <summary><c>TransferProgress</c>: how the transfer the transferor asked for goes; a failure says why.</summary>
public sealed record TransferProgressNotification(CallViewer To, TransferProgress State, string? Reason) : CallNotification(To);

/// <summary><c>DtmfReceived</c> (rule 24): the other party sent these digits.</summary>
public sealed record DtmfReceivedNotification(CallViewer To, string Digits) : CallNotification(To);

/// <summary><c>CustomParametersReceived</c> (rule 25): the parameters the other party just sent.</summary>
public sealed record CustomParametersReceivedNotification(CallViewer To, CustomParameters Parameters) : CallNotification(To);
