namespace CallServer.Observability.Logging;

/// <summary>Nodes, heartbeats, reaping and draining (event ids 2000–2099, stable).</summary>
public static partial class ClusterLog
{
    [LoggerMessage(EventId = 2001, EventName = "NodeReapedWhileAlive", Level = LogLevel.Warning, Message = "Node {NodeId} was reaped while alive; closed its {ConnectionCount} connections so that clients resume")]
    public static partial void ReapedWhileAlive(ILogger logger, string nodeId, int connectionCount);

    [LoggerMessage(EventId = 2002, EventName = "NodeDevicesReRegistered", Level = LogLevel.Warning, Message = "Node {NodeId} re-registered {DeviceCount} devices after Redis lost them")]
    public static partial void DevicesReRegistered(ILogger logger, string nodeId, int deviceCount);

    [LoggerMessage(EventId = 2003, EventName = "NodeDeadReaping", Level = LogLevel.Warning, Message = "Node {DeadNodeId} is dead; reaping its {DeviceCount} devices")]
    public static partial void ReapingDeadNode(ILogger logger, string deadNodeId, int deviceCount);

    [LoggerMessage(EventId = 2004, EventName = "NodeHeartbeatFailed", Level = LogLevel.Warning, Message = "Node {NodeId} heartbeat failed: {Error}")]
    public static partial void HeartbeatFailed(ILogger logger, string nodeId, string error);

    [LoggerMessage(EventId = 2005, EventName = "NodeDeregisterFailed", Level = LogLevel.Warning, Message = "Node {NodeId} could not deregister: {Error}")]
    public static partial void DeregisterFailed(ILogger logger, string nodeId, string error);

    [LoggerMessage(EventId = 2006, EventName = "NodeDraining", Level = LogLevel.Information, Message = "Draining: asking clients to reconnect to another node")]
    public static partial void Draining(ILogger logger);

    [LoggerMessage(EventId = 2007, EventName = "NodeDrainNotified", Level = LogLevel.Warning, Message = "Could not tell every client to reconnect")]
    public static partial void DrainNotifyFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2008, EventName = "CallsLostWithRedisData", Level = LogLevel.Warning, Message = "Node {NodeId} told the parties of {CallCount} calls that Redis lost that their calls ended")]
    public static partial void CallsLost(ILogger logger, string nodeId, int callCount);
}
