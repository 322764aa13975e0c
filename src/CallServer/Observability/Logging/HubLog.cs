using CallServer.Domain.Addresses;
using CallServer.Domain.Errors;

namespace CallServer.Observability.Logging;

/// <summary>Hub connections and invocations, on the hot path (event ids 5000–5099, stable).</summary>
public static partial class HubLog
{
    [LoggerMessage(EventId = 5001, EventName = "DeviceConnected", Level = LogLevel.Information, Message = "Device {DeviceId} of {Account} connected")]
    public static partial void Connected(ILogger logger, string deviceId, Address account);

    [LoggerMessage(EventId = 5002, EventName = "DeviceDisconnected", Level = LogLevel.Information, Message = "Device {DeviceId} of {Account} disconnected")]
    public static partial void Disconnected(ILogger logger, string deviceId, Address account);

    [LoggerMessage(EventId = 5003, EventName = "DeviceDisconnectedStoreUnavailable", Level = LogLevel.Warning, Message = "Device {DeviceId} disconnected while the store was unavailable: {Error}")]
    public static partial void DisconnectedWhileUnavailable(ILogger logger, string deviceId, string error);

    [LoggerMessage(EventId = 5004, EventName = "InvocationRefused", Level = LogLevel.Debug, Message = "{Method} by device {DeviceId} refused: {ErrorCode}")]
    public static partial void Refused(ILogger logger, string method, string deviceId, ErrorCode errorCode);

    [LoggerMessage(EventId = 5005, EventName = "InvocationFailed", Level = LogLevel.Error, Message = "{Method} by device {DeviceId} failed")]
    public static partial void Failed(ILogger logger, Exception exception, string method, string deviceId);

    [LoggerMessage(EventId = 5006, EventName = "PresenceNotRemoved", Level = LogLevel.Debug, Message = "Device {DeviceId}: presence not removed: {Error}")]
    public static partial void PresenceNotRemoved(ILogger logger, string deviceId, string error);

    [LoggerMessage(EventId = 5007, EventName = "DeviceTooSlow", Level = LogLevel.Warning, Message = "Device {DeviceId} did not take {Event} within {TimeoutMs} ms; its connection is closed so that it resumes")]
    public static partial void DeviceTooSlow(ILogger logger, string deviceId, string @event, double timeoutMs);

    [LoggerMessage(EventId = 5008, EventName = "ConnectionRefused", Level = LogLevel.Warning, Message = "Device {DeviceId} of {Account} refused: {Error}")]
    public static partial void ConnectionRefused(ILogger logger, string deviceId, Address account, string error);

    [LoggerMessage(EventId = 5009, EventName = "AccountClosed", Level = LogLevel.Information, Message = "Account {Account} was closed: {ConnectionCount} connections of this node closed")]
    public static partial void AccountClosed(ILogger logger, string account, int connectionCount);

    [LoggerMessage(EventId = 5010, EventName = "RingingNotChecked", Level = LogLevel.Warning, Message = "Device {DeviceId} connected, but the calls ringing its account could not be read: {Error}")]
    public static partial void RingingNotChecked(ILogger logger, string deviceId, string error);
}
