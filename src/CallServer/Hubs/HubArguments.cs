using System.Text.Json;
using CallServer.Application;
using CallServer.Domain.Calls;
using CallServer.Domain.Errors;

namespace CallServer.Hubs;

/// <summary>
/// The shape of the hub's JSON object arguments (custom parameters, a quality sample), read by hand so that a wrong
/// shape is <c>InvalidArgument</c> like any other bad input, not a binding failure. The rules on the values are the decider's.
/// </summary>
public static class HubArguments
{
    /// <summary>A <c>customParameters</c> argument: null, or an object of text values.</summary>
    public static IReadOnlyDictionary<string, string>? CustomParameters(JsonElement? argument)
    {
        if (argument is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } element)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("customParameters is an object of text values");
        }

        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid($"custom parameter '{Shorten(property.Name)}' needs a text value");
            }

            if (parameters.Count > Domain.Calls.CustomParameters.MaxEntries || !parameters.TryAdd(property.Name, property.Value.GetString()!))
            {
                throw Invalid($"at most {Domain.Calls.CustomParameters.MaxEntries} custom parameters, each key once");
            }
        }

        return parameters;
    }

    /// <summary>A <c>ReportQuality</c> sample: an object with the numbers rttMs, jitterMs, packetLossPercent, mos, and optionally audioBitrateKbps, videoBitrateKbps.</summary>
    public static QualitySample QualitySample(JsonElement? argument)
    {
        if (argument is not { ValueKind: JsonValueKind.Object } element)
        {
            throw Invalid("a quality sample is an object {rttMs, jitterMs, packetLossPercent, mos, audioBitrateKbps?, videoBitrateKbps?}");
        }

        return new QualitySample(
            Number(element, "rttMs") ?? throw Missing("rttMs"),
            Number(element, "jitterMs") ?? throw Missing("jitterMs"),
            Number(element, "packetLossPercent") ?? throw Missing("packetLossPercent"),
            Number(element, "mos") ?? throw Missing("mos"),
            Number(element, "audioBitrateKbps"),
            Number(element, "videoBitrateKbps"));
    }

    private static double? Number(JsonElement sample, string name)
    {
        if (!sample.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) ? number : throw Invalid($"{name} is a number");
    }

    private static CallRefusedException Missing(string name) => Invalid($"a quality sample needs {name}");

    private static CallRefusedException Invalid(string message) => CallRefusedException.Of(ErrorCode.InvalidArgument, message);

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
