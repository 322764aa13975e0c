using System.Globalization;
using System.Text.Json;
using CallServer.Ports;

namespace CallServer.Push.Providers;

/// <summary>The wire forms of a <see cref="PushMessage"/>'s fields.</summary>
public static class PushPayload
{
    /// <summary>A JSON object of exactly the message's fields, in order: strings, booleans and nulls as such (APNs, Web Push).</summary>
    public static byte[] ToJsonObject(PushMessage message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            WriteFields(writer, message);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// An APNs alert payload of a missed call (issue 20): <c>aps.alert</c> (title "Missed call", body the caller's display
    /// name or address), <c>aps.sound</c> <c>default</c>, <c>aps.thread-id</c> <c>missed-calls</c>, and the message's fields
    /// beside <c>aps</c> for the app.
    /// </summary>
    public static byte[] ToApnsAlert(MissedCallPush message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("aps");
            writer.WriteStartObject("alert");
            writer.WriteString("title", message.Video ? "Missed video call" : "Missed call");
            writer.WriteString("body", message.DisplayName ?? message.From);
            writer.WriteEndObject();
            writer.WriteString("sound", "default");
            writer.WriteString("thread-id", "missed-calls");
            writer.WriteEndObject();
            WriteFields(writer, message);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The message's fields as JSON properties: strings, booleans and nulls as such.</summary>
    private static void WriteFields(Utf8JsonWriter writer, PushMessage message)
    {
        foreach (var (name, value) in message.Fields)
        {
            writer.WritePropertyName(name);
            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                default:
                    writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    /// <summary>Whole seconds from <paramref name="now"/> until <paramref name="expiresAt"/>, never below <paramref name="atLeast"/>.</summary>
    public static long SecondsUntil(DateTimeOffset expiresAt, DateTimeOffset now, long atLeast) =>
        Math.Max(atLeast, (long)Math.Ceiling((expiresAt - now).TotalSeconds));
}
