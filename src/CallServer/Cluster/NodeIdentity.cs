using System.Security.Cryptography;

namespace CallServer.Cluster;

/// <summary>This process's id among the nodes: new at every start, so a restarted node is a new node.</summary>
public sealed class NodeIdentity
{
    public string Id { get; } = $"{Environment.MachineName.ToLowerInvariant()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
}
