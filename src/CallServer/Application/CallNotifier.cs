using CallServer.Domain.Calls;
using CallServer.Domain.Notifications;
using CallServer.Domain.Views;
using CallServer.Observability.Logging;
using CallServer.Ports;

namespace CallServer.Application;

/// <summary>Turns the decider's notifications into the contract's events, each projected for its recipient.</summary>
public sealed class CallNotifier(IDeviceMessenger messenger, ILogger<CallNotifier> logger)
{
    public async Task DeliverAsync(Call call, IReadOnlyList<CallNotification> notifications, CancellationToken cancellationToken = default)
    {
        foreach (var notification in notifications)
        {
            if (notification.To.DeviceId is not { } deviceId)
            {
                continue;
            }

            var (method, arguments) = ToEvent(call, notification);
            try
            {
                await messenger.SendAsync(deviceId, method, arguments, cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // A device that went away misses the event; its snapshot on resume tells it where the call is.
                CallLog.EventNotDelivered(logger, exception, method, call.CallId, deviceId);
            }
        }
    }

    public static (string Method, object?[] Arguments) ToEvent(Call call, CallNotification notification) => notification switch
    {
        IncomingCallNotification n => (HubEvents.IncomingCall, [View(call, n), n.SdpOffer]),
        CallStatusChangedNotification n => (HubEvents.CallStatusChanged, [View(call, n)]),
        RemoteDescriptionNotification n => (HubEvents.RemoteDescription, [call.CallId, n.Type, n.Sdp]),
        RenegotiationRequestedNotification n => (HubEvents.RenegotiationRequested, [call.CallId, n.OperationId, n.Operation, n.SdpOffer]),
        CallOperationCompletedNotification n => (HubEvents.CallOperationCompleted, [call.CallId, n.OperationId, n.Operation, n.Succeeded, n.Error, n.SdpAnswer]),
        MediaAttributesChangedNotification n => (HubEvents.MediaAttributesChanged, [View(call, n)]),
        IceCandidateNotification n => (HubEvents.IceCandidate, [call.CallId, n.Candidate]),
        TransferRequestedNotification n => (HubEvents.TransferRequested, [call.CallId, n.NewCallId, n.Target, n.TransferredBy]),
        TransferConnectedNotification n => (HubEvents.TransferConnected, [call.CallId, n.NewCallId, n.TransferredBy]),
        TransferProgressNotification n => (HubEvents.TransferProgress, [call.CallId, n.State, n.Reason]),
        DtmfReceivedNotification n => (HubEvents.DtmfReceived, [call.CallId, n.Digits]),
        CustomParametersReceivedNotification n => (HubEvents.CustomParametersReceived, [call.CallId, new Dictionary<string, string>(n.Parameters.Values, StringComparer.Ordinal)]),
        _ => throw new ArgumentOutOfRangeException(nameof(notification), notification.GetType().Name, "unknown notification"),
    };

    private static CallSnapshot View(Call call, CallNotification notification) => CallProjection.View(call, notification.To);
}
