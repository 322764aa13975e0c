using CallServer.Domain.Calls;

namespace CallServer.Ports;

/// <summary>
/// The calls in progress a node last saw of a shared store that can lose its data (a Redis restarted
/// empty): what the node's heartbeat checks, so that the parties of a call the store lost are told it ended.
/// </summary>
public interface IRememberedCalls
{
    IReadOnlyList<Call> RememberedCalls();
}
