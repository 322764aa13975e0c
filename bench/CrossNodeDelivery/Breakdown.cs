using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using CallServer.Adapters.DeviceMessaging;
using CallServer.Hubs;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace CrossNodeDelivery;

/// <summary>
/// Where the node channels' extra CPU goes: the JSON steps of one event, each timed alone on one thread (same
/// events as the delivery runs). The backplane and a same-node send write the hub message once; the node
/// channels also write the NodeMessage on node A, parse it on node B and write the parsed arguments again.
/// </summary>
internal static class Breakdown
{
    public static object Measure(int events, int repetitions, CancellationToken cancellationToken)
    {
        var protocolOptions = new JsonHubProtocolOptions();
        HubJson.Configure(protocolOptions.PayloadSerializerOptions);
        var protocol = new JsonHubProtocol(Options.Create(protocolOptions));
        var originals = Enumerable.Range(0, events).Select(i => Events.Make(i, Stopwatch.GetTimestamp())).ToArray();
        var published = originals.Select(e => new NodeMessage("2iH587nP8iPi81DwBP60wg", e.Method, e.Arguments).ToUtf8(HubJson.Options)).ToArray();
        var parsed = published.Select(p => NodeMessage.Parse(p, HubJson.Options)).ToArray();

        // The raw route writes the same hub message as the JsonElement route.
        for (var i = 0; i < Math.Min(events, 4); i++)
        {
            var viaElements = protocol.GetMessageBytes(new InvocationMessage(parsed[i].Method, [.. parsed[i].Arguments]));
            var (_, method, arguments) = RawJson.Parse(published[i]);
            var viaRaw = protocol.GetMessageBytes(new InvocationMessage(method, arguments));
            if (!viaElements.Span.SequenceEqual(viaRaw.Span))
            {
                throw new InvalidOperationException("the raw route wrote a different hub message");
            }
        }

        var steps = new (string Name, Action<int> Step)[]
        {
            ("hub message written from the event's objects (every mode, once)", i => protocol.GetMessageBytes(new InvocationMessage(originals[i].Method, originals[i].Arguments))),
            ("node A: NodeMessage.ToUtf8 (node channels)", i => new NodeMessage("2iH587nP8iPi81DwBP60wg", originals[i].Method, originals[i].Arguments).ToUtf8(HubJson.Options)),
            ("node B: NodeMessage.Parse (node channels)", i => NodeMessage.Parse(published[i], HubJson.Options)),
            ("node B: hub message written from the parsed JsonElements (node channels)", i => protocol.GetMessageBytes(new InvocationMessage(parsed[i].Method, [.. parsed[i].Arguments]))),
            ("node B, not the project's code: arguments located with a reader and written back raw (parse + write)", i =>
            {
                var (_, method, arguments) = RawJson.Parse(published[i]);
                protocol.GetMessageBytes(new InvocationMessage(method, arguments));
            }),
        };

        var result = new Dictionary<string, double>();
        foreach (var (name, step) in steps)
        {
            var times = new List<double>();
            for (var repetition = 0; repetition <= repetitions; repetition++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < events; i++)
                {
                    step(i);
                }

                // The first pass warms up and is not counted.
                if (repetition > 0)
                {
                    times.Add(clock.Elapsed.TotalMicroseconds / events);
                }
            }

            times.Sort();
            result[name] = times[times.Count / 2];
        }

        return new { microsecondsPerEvent = result, events, repetitions, note = "wall time on one thread, median of the repetitions" };
    }
}

/// <summary>
/// An argument forwarded as the JSON it arrived as (not used by the project; measured only, as a possible
/// cheaper receiver for the node channels): written back with <see cref="Utf8JsonWriter.WriteRawValue(ReadOnlySpan{byte}, bool)"/>.
/// </summary>
[JsonConverter(typeof(RawJsonConverter))]
internal sealed class RawJson(ReadOnlyMemory<byte> utf8)
{
    public ReadOnlyMemory<byte> Utf8 { get; } = utf8;

    /// <summary>A NodeMessage's device, method and arguments, each argument a slice of the payload.</summary>
    public static (string? DeviceId, string Method, object?[] Arguments) Parse(byte[] utf8)
    {
        var reader = new Utf8JsonReader(utf8);
        string? deviceId = null;
        var method = string.Empty;
        var arguments = new List<object?>();
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("deviceId"u8))
            {
                reader.Read();
                deviceId = reader.GetString();
            }
            else if (reader.ValueTextEquals("method"u8))
            {
                reader.Read();
                method = reader.GetString() ?? string.Empty;
            }
            else if (reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    arguments.Add(new RawJson(utf8.AsMemory(start, (int)reader.BytesConsumed - start)));
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (deviceId, method, [.. arguments]);
    }
}

internal sealed class RawJsonConverter : JsonConverter<RawJson>
{
    public override RawJson Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("written only");

    public override void Write(Utf8JsonWriter writer, RawJson value, JsonSerializerOptions options) =>
        writer.WriteRawValue(value.Utf8.Span, skipInputValidation: true);
}
