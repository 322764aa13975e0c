using System.Text.Json;
using System.Text.Json.Nodes;
using CallServer.Domain.Addresses;
using CallServer.Domain.Records;
using CallServer.Records;

namespace CallServer.History;

/// <summary>
/// A message of the outbox topic <see cref="CallOutbox.HistoryTopic"/>: the call record of
/// <see cref="CallRecordJson"/> plus <c>"callerAccount"</c>, the account that placed the call.
/// </summary>
public sealed record HistoryMessage(CallRecord Record, Address CallerAccount)
{
    /// <summary>Reads a payload; <see cref="JsonException"/> when it is not one.</summary>
    public static HistoryMessage Parse(string payload)
    {
        var json = JsonNode.Parse(payload) as JsonObject ?? throw new JsonException("a history message is a JSON object");
        try
        {
            return new HistoryMessage(CallRecordJsonReader.Read(json), CallRecordJsonReader.AddressOf(json, "callerAccount"));
        }
        catch (Exception wrongKind) when (wrongKind is InvalidOperationException or FormatException)
        {
            throw new JsonException($"the history message's callerAccount is not a text: {wrongKind.Message}", wrongKind);
        }
    }
}
