using System.Text.Json;

namespace CallServer.Adapters.DeviceMessaging;

/// <summary>An event for a device on another node, as published on that node's channel.</summary>
public sealed record NodeMessage(string DeviceId, string Method, JsonElement[] Arguments);
