using System.Text.Json;
using System.Text.Json.Nodes;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Records;

namespace CallServer.Records;

/// <summary>
/// Reads the call record of <see cref="CallRecordJson"/> back (the history outbox): every field it writes, the
/// addresses as their normalised text. Anything else (a field missing or of the wrong kind, an unknown end
/// reason, an address that is not normalised) is a <see cref="JsonException"/>. Durations come back to the
/// millisecond, as they were written.
/// </summary>
public static class CallRecordJsonReader
{
    public static CallRecord Read(string json) =>
        Read(JsonNode.Parse(json) as JsonObject ?? throw new JsonException("a call record is a JSON object"));

    public static CallRecord Read(JsonObject json)
    {
        try
        {
            return new CallRecord(
                Required<string>(json, "callId"),
                AddressOf(json, "caller"),
                Optional<string>(json, "callerDisplayName"),
                Required<bool>(json, "callerAnonymous"),
                AddressOf(json, "callee"),
                json["answeredBy"] is null ? null : AddressOf(json, "answeredBy"),
                ForwardChainOf(json),
                Required<DateTimeOffset>(json, "createdAt"),
                OptionalTime(json, "ringingAt"),
                OptionalTime(json, "answeredAt"),
                Required<DateTimeOffset>(json, "endedAt"),
                Seconds(json, "durationSeconds"),
                EndOf(json, "callerEnd"),
                EndOf(json, "calleeEnd"),
                Required<bool>(json, "video"),
                Seconds(json, "holdSeconds"),
                json["offered"]?.GetValue<bool>() ?? true);
        }
        catch (Exception wrongKind) when (wrongKind is InvalidOperationException or FormatException or OverflowException)
        {
            throw new JsonException($"a call record field is not of its kind: {wrongKind.Message}", wrongKind);
        }
    }

    /// <summary>The address in <paramref name="field"/>: a normalised address text.</summary>
    public static Address AddressOf(JsonObject json, string field) => ParseAddress(Required<string>(json, field), field);

    private static Address ParseAddress(string text, string field) =>
        Address.TryParse(text, "invalid", out var address) && address.Value == text
            ? address
            : throw new JsonException($"the call record's {field} '{text}' is not a normalised address");

    private static T Required<T>(JsonObject json, string field) =>
        json[field] is { } node ? node.GetValue<T>() : throw new JsonException($"the call record has no {field}");

    private static T? Optional<T>(JsonObject json, string field)
        where T : class =>
        json[field]?.GetValue<T>();

    private static DateTimeOffset? OptionalTime(JsonObject json, string field) =>
        json[field] is { } node ? node.GetValue<DateTimeOffset>() : null;

    private static TimeSpan Seconds(JsonObject json, string field)
    {
        var seconds = Required<double>(json, field);
        return double.IsFinite(seconds) && seconds >= 0 && seconds < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromMilliseconds(Math.Round(seconds * 1000))
            : throw new JsonException($"the call record's {field} is not a duration");
    }

    private static List<Address> ForwardChainOf(JsonObject json)
    {
        var chain = json["forwardChain"] as JsonArray ?? throw new JsonException("the call record has no forwardChain array");
        var addresses = new List<Address>(chain.Count);
        for (var i = 0; i < chain.Count; i++)
        {
            var field = $"forwardChain[{i}]";
            addresses.Add(ParseAddress(chain[i]?.GetValue<string>() ?? throw new JsonException($"the call record's {field} is null"), field));
        }

        return addresses;
    }

    private static CallRecordEnd EndOf(JsonObject json, string field)
    {
        var end = json[field] as JsonObject ?? throw new JsonException($"the call record has no {field} object");
        var name = Required<string>(end, "reason");
        var reason = Enum.GetValues<EndReason>().FirstOrDefault(r => r.ToString() == name, (EndReason)(-1));
        return reason == (EndReason)(-1)
            ? throw new JsonException($"the call record's {field}.reason '{name}' is not an end reason")
            : new CallRecordEnd(reason, Required<int>(end, "statusCode"));
    }
}
