using System.Reflection;
using CallServer.Cluster;

namespace CallServer.Push.Providers;

/// <summary>The <c>user-agent</c> of requests to push services: <c>CallServer/&lt;version&gt; (node &lt;id&gt;)</c>.</summary>
public sealed class PushUserAgent(string value)
{
    public string Value { get; } = value;

    public static PushUserAgent For(NodeIdentity? node)
    {
        var informational = typeof(PushUserAgent).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = informational?.Split('+')[0] ?? typeof(PushUserAgent).Assembly.GetName().Version?.ToString() ?? "0";
        return new PushUserAgent(node is null ? $"CallServer/{version}" : $"CallServer/{version} (node {node.Id})");
    }
}
