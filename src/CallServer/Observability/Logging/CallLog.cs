using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Commands;

namespace CallServer.Observability.Logging;

/// <summary>The life of a call, on the hot path (event ids 4000–4099, stable). Never SDP or tokens.</summary>
public static partial class CallLog
{
    [LoggerMessage(EventId = 4001, EventName = "CallCreated", Level = LogLevel.Information, Message = "Call {CallId} created by {Caller} to {Callee}")]
    public static partial void Created(ILogger logger, string callId, Address caller, Address? callee);

    [LoggerMessage(EventId = 4002, EventName = "CallEnded", Level = LogLevel.Information, Message = "Call {CallId} ended: caller {CallerEnd}, callee {CalleeEnd}")]
    public static partial void Ended(ILogger logger, string callId, EndReason? callerEnd, EndReason? calleeEnd);

    [LoggerMessage(EventId = 4003, EventName = "CallOperationStarted", Level = LogLevel.Information, Message = "Call {CallId}: {Operation} {OperationId} started by {Account}")]
    public static partial void OperationStarted(ILogger logger, string callId, MediaOperation operation, string operationId, Address account);

    [LoggerMessage(EventId = 4004, EventName = "CallResumed", Level = LogLevel.Information, Message = "Call {CallId} resumed by {Account} on device {DeviceId}")]
    public static partial void Resumed(ILogger logger, string callId, Address account, string? deviceId);

    [LoggerMessage(EventId = 4005, EventName = "CallEventNotDelivered", Level = LogLevel.Warning, Message = "Could not deliver {Event} of call {CallId} to device {DeviceId}")]
    public static partial void EventNotDelivered(ILogger logger, Exception exception, string @event, string callId, string deviceId);

    [LoggerMessage(EventId = 4006, EventName = "CallDisconnectNotApplied", Level = LogLevel.Warning, Message = "Call {CallId}: disconnect of device {DeviceId} not applied: {Error}")]
    public static partial void DisconnectNotApplied(ILogger logger, string callId, string? deviceId, string error);

    [LoggerMessage(EventId = 4007, EventName = "CallRaceLost", Level = LogLevel.Debug, Message = "Call {CallId}: lost a race at version {Version}, deciding {Command} again")]
    public static partial void RaceLost(ILogger logger, string callId, long version, string command);

    [LoggerMessage(EventId = 4008, EventName = "CallChanged", Level = LogLevel.Debug, Message = "Call {CallId} is now {Phase} at version {Version}")]
    public static partial void Changed(ILogger logger, string callId, CallPhase phase, long version);

    [LoggerMessage(EventId = 4009, EventName = "CallsSwitched", Level = LogLevel.Information, Message = "Call {CallId} answered while in call {OtherCallId} ({Switch})")]
    public static partial void CallsSwitched(ILogger logger, string callId, string otherCallId, SwitchKind @switch);
}
