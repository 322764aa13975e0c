using System.Text.Json;
using System.Text.Json.Nodes;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Records;
using CallServer.History;
using CallServer.Records;

namespace CallServer.Tests.History;

/// <summary>The call record of the history outbox read back: every field round-trips; anything else is a JsonException.</summary>
public sealed class CallRecordJsonReaderTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, 123, TimeSpan.Zero);

    private static Address A(string text) => Address.Parse(text, "example.test");

    /// <summary>Every field set, times and durations to the millisecond (as the JSON carries them).</summary>
    private static CallRecord Forwarded() => new(
        "call-1",
        A("alice"),
        "Alice Example",
        false,
        A("bob"),
        A("carol"),
        [A("bob"), A("carol")],
        Start,
        Start.AddMilliseconds(250),
        Start.AddSeconds(9.5),
        Start.AddSeconds(72.75),
        TimeSpan.FromMilliseconds(63_250),
        new CallRecordEnd(EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser),
        new CallRecordEnd(EndReason.EndedRemotely, CallStatusCodes.SessionCompleted),
        true,
        TimeSpan.FromMilliseconds(12_001));

    /// <summary>The fewest fields set: an anonymous caller to a number, never rung nor answered.</summary>
    private static CallRecord Unanswered() => new(
        "call-2", A("anonymous-7f3a"), null, true, A("tel:+15551234567"), null, [], Start, null, null, Start.AddSeconds(3),
        TimeSpan.Zero, new CallRecordEnd(EndReason.Canceled, CallStatusCodes.CanceledOrNotAnswered), new CallRecordEnd(EndReason.Failed, CallStatusCodes.EndedByError), false, TimeSpan.Zero);

    private static void AssertSame(CallRecord expected, CallRecord actual)
    {
        Assert.Equal(expected.ForwardChain, actual.ForwardChain);
        Assert.Equal(expected with { ForwardChain = [] }, actual with { ForwardChain = [] });
    }

    [Fact]
    public void Every_field_of_a_record_round_trips()
    {
        foreach (var record in new[] { Forwarded(), Unanswered() })
        {
            AssertSame(record, CallRecordJsonReader.Read(CallRecordJson.Write(record).ToJsonString()));
        }
    }

    [Fact]
    public void The_history_message_is_the_record_and_the_caller_account()
    {
        var json = CallRecordJson.Write(Forwarded());
        json["callerAccount"] = "alice@example.test";

        var message = HistoryMessage.Parse(json.ToJsonString());

        AssertSame(Forwarded(), message.Record);
        Assert.Equal(A("alice"), message.CallerAccount);
    }

    public static TheoryData<string, JsonNode?> Breakages => new()
    {
        { "callId", null },
        { "caller", JsonValue.Create("Alice@Example.test") },
        { "caller", JsonValue.Create("alice") },
        { "callerAnonymous", JsonValue.Create("no") },
        { "forwardChain", JsonValue.Create("bob@example.test") },
        { "createdAt", JsonValue.Create("yesterday") },
        { "endedAt", null },
        { "durationSeconds", JsonValue.Create(-1) },
        { "callerEnd", new JsonObject { ["reason"] = "Vanished", ["statusCode"] = 1 } },
        { "calleeEnd", new JsonObject { ["reason"] = "1", ["statusCode"] = 1 } },
        { "calleeEnd", new JsonObject { ["reason"] = "Rejected" } },
        { "callerAccount", null },
        { "callerAccount", JsonValue.Create(42) },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_message_with_a_field_missing_or_wrong_is_a_JsonException(string field, JsonNode? value)
    {
        var json = CallRecordJson.Write(Forwarded());
        json["callerAccount"] = "alice@example.test";
        if (value is null)
        {
            json.Remove(field);
        }
        else
        {
            json[field] = value;
        }

        Assert.ThrowsAny<JsonException>(() => HistoryMessage.Parse(json.ToJsonString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("null")]
    public void A_payload_that_is_no_JSON_object_is_a_JsonException(string payload) =>
        Assert.ThrowsAny<JsonException>(() => HistoryMessage.Parse(payload));
}
