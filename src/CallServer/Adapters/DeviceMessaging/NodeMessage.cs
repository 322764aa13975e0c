using System.Text.Json;

namespace CallServer.Adapters.DeviceMessaging;

/// <summary>
/// An event for a device on another node, as published on that node's channel: serialised once, to UTF-8
/// JSON, by the sender (the arguments by their runtime types, with the hub's JSON settings), and parsed
/// once by the receiver, whose hub writes the parsed arguments as they are.
/// </summary>
public sealed record NodeMessage(string DeviceId, string Method, object?[] Arguments)
{
    public byte[] ToUtf8(JsonSerializerOptions options) => JsonSerializer.SerializeToUtf8Bytes(this, options);

    public static ReceivedNodeMessage Parse(ReadOnlySpan<byte> utf8, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize<ReceivedNodeMessage>(utf8, options) ?? throw new JsonException("an empty cross-node message");
}

/// <summary>A <see cref="NodeMessage"/> as read on the receiving node: its arguments stay parsed JSON.</summary>
public sealed record ReceivedNodeMessage(string DeviceId, string Method, JsonElement[] Arguments);
