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
