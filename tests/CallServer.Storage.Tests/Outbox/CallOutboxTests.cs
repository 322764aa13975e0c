using System.Text.Json;
using System.Text.Json.Nodes;
using CallServer.Adapters.Calls;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Decisions;
using CallServer.Domain.Notifications;
using CallServer.Domain.Ports;
using CallServer.Domain.Records;
using CallServer.Outbox;
using CallServer.Storage.Tests.StoredFormat;

namespace CallServer.Storage.Tests.Outbox;

/// <summary>
/// Every outbox message a change leaves behind (<see cref="CallOutbox.MessagesOf"/>) and its payload on the
/// one JSON context: what is written for which change, that today's writer writes what the version before
/// wrote (golden payloads, <c>Golden/outbox-*</c>), that every payload reads back, and that anything a
/// writer never makes is a <see cref="JsonException"/>.
/// </summary>
public sealed class CallOutboxTests
{
    private static readonly CallOutboxSettings WithWebhooks = new(TimeSpan.FromSeconds(60), Webhooks: true);
    private static readonly DateTimeOffset Start = new(2025, 3, 14, 9, 26, 53, 123, TimeSpan.Zero);

    private static Call GoldenCall(string name) => StoredCallFormat.Read(GoldenFiles.Read("call", 1, name));

    /// <summary>A golden payload, <c>Golden/outbox-{topic}-v0-{name}.json</c>.</summary>
    private static string Golden(string topicAndName)
    {
        var (topic, name) = (topicAndName[..topicAndName.IndexOf("-v0-", StringComparison.Ordinal)], topicAndName[(topicAndName.IndexOf("-v0-", StringComparison.Ordinal) + 4)..]);
        return GoldenFiles.Read("outbox-" + topic, 0, name);
    }

    private static Address A(string text) => Address.Parse(text, "example.test");

    /// <summary>The golden calls as the version before ended them (<c>full</c> ended 90.1234 s after it was created).</summary>
    private static (Call Before, Call After) Ended(string name)
    {
        var call = GoldenCall(name);
        return call.Phase == CallPhase.Ended
            ? (call with { Phase = CallPhase.Connected, Version = call.Version - 1 }, call)
            : (call, call with { Version = call.Version + 1, Phase = CallPhase.Ended, EndedAt = call.CreatedAt.AddSeconds(90.1234) });
    }

    /// <summary>A decision that changed <paramref name="before"/> into <paramref name="after"/> (what the store saves).</summary>
    private static Decision Changed(Call? before, Call after, params WakeRequest[] wakes) =>
        before is null ? Decision.Created(after) : Decision.Changes(before, after with { Version = before.Version }, [], wakes: wakes);

    [Theory]
    [InlineData("ended", "webhooks-v0-ended", "history-v0-ended")]
    [InlineData("full", "webhooks-v0-full-ended", "history-v0-full-ended")]
    public void An_ended_call_writes_what_the_version_before_wrote(string call, string webhook, string history)
    {
        var (before, after) = Ended(call);

        var messages = CallOutbox.MessagesOf(before, Changed(before, after), after.EndedAt!.Value, WithWebhooks);

        Assert.Equal([OutboxTopic.Webhooks, OutboxTopic.History], messages.Select(m => m.Topic));
        Assert.All(messages, m => Assert.Equal(after.CallId, m.CallId));
        Assert.Equal(Golden(webhook), messages[0].Payload);
        Assert.Equal(Golden(history), messages[1].Payload);
    }

    [Theory]
    [InlineData("forwarded", "webhooks-v0-forwarded-created")]
    [InlineData("anonymous-to-tel", "webhooks-v0-anonymous-to-tel-created")]
    [InlineData("full", "webhooks-v0-full-created")]
    public void A_created_call_writes_the_created_event_the_version_before_wrote(string call, string webhook)
    {
        var created = GoldenCall(call);

        var message = Assert.Single(CallOutbox.MessagesOf(null, Decision.Created(created), created.CreatedAt, WithWebhooks));

        Assert.Equal(OutboxTopic.Webhooks, message.Topic);
        Assert.Equal(Golden(webhook), message.Payload);
    }

    [Fact]
    public void Wake_requests_write_the_pushes_the_version_before_wrote()
    {
        var ringing = GoldenCall("ringing");
        var now = ringing.CreatedAt.AddSeconds(1);

        Assert.Equal(Golden("push-v0-incoming-call"), OutboxJson.Write(PushJob.Of(ringing, new WakeAccount(ringing.Callee.Account, now.AddSeconds(60)), now, TimeSpan.FromSeconds(60))));
        Assert.Equal(Golden("push-v0-call-canceled"), OutboxJson.Write(PushJob.Of(ringing, new StopWaking(ringing.Callee.Account, "Canceled"), now, TimeSpan.FromSeconds(60))));
    }

    [Fact]
    public void A_change_writes_a_push_per_wake_request_first()
    {
        var ringing = GoldenCall("ringing");
        var after = ringing with { Phase = CallPhase.Ended, EndedAt = ringing.CreatedAt.AddSeconds(5) };
        var decision = Changed(ringing, after, new StopWaking(ringing.Callee.Account, "Canceled"));

        var messages = CallOutbox.MessagesOf(ringing, decision, after.EndedAt!.Value, WithWebhooks);

        Assert.Equal([OutboxTopic.Push, OutboxTopic.Webhooks, OutboxTopic.History], messages.Select(m => m.Topic));
        Assert.Equal(PushJob.CallCanceled, OutboxJson.ReadPush(messages[0].Payload).Kind);
    }

    [Fact]
    public void Without_receivers_no_webhook_message_is_written_and_an_unchanged_decision_writes_nothing()
    {
        var (before, after) = Ended("ended");

        var messages = CallOutbox.MessagesOf(before, Changed(before, after), after.EndedAt!.Value, WithWebhooks with { Webhooks = false });

        Assert.Equal([OutboxTopic.History], messages.Select(m => m.Topic));
        Assert.Empty(CallOutbox.MessagesOf(before, Decision.Unchanged(before), Start, WithWebhooks));
    }

    [Fact]
    public void A_change_of_an_ended_call_writes_no_second_record()
    {
        var (_, ended) = Ended("ended");

        var messages = CallOutbox.MessagesOf(ended, Changed(ended, ended with { Version = ended.Version + 1 }), Start, WithWebhooks);

        Assert.DoesNotContain(messages, m => m.Topic == OutboxTopic.History);
    }

    [Theory]
    [InlineData("history-v0-ended")]
    [InlineData("history-v0-full-ended")]
    public void A_history_payload_of_the_version_before_reads_as_its_record(string name)
    {
        var call = name.Contains("full", StringComparison.Ordinal) ? Ended("full").After : Ended("ended").After;
        var expected = CallRecord.Of(call);

        var payload = OutboxJson.ReadHistory(Golden(name));
        var record = payload.ToRecord();

        Assert.Equal(call.Caller.Account, payload.CallerAccountAddress());
        Assert.Equal(expected.ForwardChain, record.ForwardChain);
        Assert.Equal(
            expected with { ForwardChain = [], InCallDuration = Millis(expected.InCallDuration), TimeOnHold = Millis(expected.TimeOnHold) },
            record with { ForwardChain = [] });
    }

    [Theory]
    [InlineData("webhooks-v0-ended", "call.ended")]
    [InlineData("webhooks-v0-full-created", "call.created")]
    public void A_webhook_payload_of_the_version_before_reads_and_its_body_is_the_event_without_its_id(string name, string type)
    {
        var golden = Golden(name);

        var webhook = OutboxJson.ReadWebhook(golden);
        var body = JsonNode.Parse(OutboxJson.Write(webhook.Body()))!.AsObject();

        Assert.Equal(type, webhook.Type);
        var expected = JsonNode.Parse(golden)!.AsObject();
        expected.Remove("id");
        Assert.True(JsonNode.DeepEquals(expected, body), body.ToJsonString());
    }

    [Theory]
    [InlineData("push-v0-incoming-call", PushJob.IncomingCall)]
    [InlineData("push-v0-call-canceled", PushJob.CallCanceled)]
    public void A_push_payload_of_the_version_before_reads(string name, string kind)
    {
        var job = OutboxJson.ReadPush(Golden(name));

        Assert.Equal(kind, job.Kind);
        Assert.Equal("golden-ringing", job.CallId);
        Assert.Equal("bob@example.test", job.Account);
    }

    /// <summary>Every field set, times and durations to the millisecond (as the JSON carries them).</summary>
    private static CallRecord Forwarded() => new(
        "call-1", A("alice"), "Alice Example", false, A("bob"), A("carol"), [A("bob"), A("carol")],
        Start, Start.AddMilliseconds(250), Start.AddSeconds(9.5), Start.AddSeconds(72.75), TimeSpan.FromMilliseconds(63_250),
        new CallRecordEnd(EndReason.EndedLocally, CallStatusCodes.EndedByLocalUser), new CallRecordEnd(EndReason.EndedRemotely, CallStatusCodes.SessionCompleted),
        true, TimeSpan.FromMilliseconds(12_001));

    /// <summary>The fewest fields set: an anonymous caller to a number, never rung nor answered, never offered.</summary>
    private static CallRecord Unanswered() => new(
        "call-2", A("anonymous-7f3a"), null, true, A("tel:+15551234567"), null, [], Start, null, null, Start.AddSeconds(3),
        TimeSpan.Zero, new CallRecordEnd(EndReason.Canceled, CallStatusCodes.CanceledOrNotAnswered), new CallRecordEnd(EndReason.Failed, CallStatusCodes.EndedByError), false, TimeSpan.Zero, Offered: false);

    [Fact]
    public void Every_field_of_a_record_round_trips()
    {
        foreach (var record in new[] { Forwarded(), Unanswered() })
        {
            var read = OutboxJson.ReadHistory(OutboxJson.Write(new HistoryPayload(CallRecordPayload.Of(record), record.Caller.Value)));
            Assert.Equal(record.ForwardChain, read.ToRecord().ForwardChain);
            Assert.Equal(record with { ForwardChain = [] }, read.ToRecord() with { ForwardChain = [] });
            Assert.Equal(record.Caller, read.CallerAccountAddress());
        }
    }

    [Fact]
    public void The_moves_of_a_pulled_call_round_trip_and_a_record_without_them_has_none()
    {
        var record = Forwarded() with
        {
            PulledFrom = [new CallRecordMove(CallSide.Callee, Start.AddSeconds(20)), new CallRecordMove(CallSide.Caller, Start.AddSeconds(30))],
        };

        var json = OutboxJson.Write(new HistoryPayload(CallRecordPayload.Of(record), "alice@example.test"));
        var read = OutboxJson.ReadHistory(json).ToRecord();

        Assert.Equal(record.PulledFrom, read.PulledFrom);
        Assert.Contains("\"pulledFrom\":[{\"side\":\"Callee\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("pulledFrom", OutboxJson.Write(new HistoryPayload(CallRecordPayload.Of(Forwarded()), "alice@example.test")), StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => OutboxJson.ReadHistory(json.Replace("\"Callee\"", "\"Nobody\"", StringComparison.Ordinal)).ToRecord());
    }

    [Fact]
    public void The_transfers_of_a_call_round_trip_and_a_record_without_them_has_none()
    {
        var record = Forwarded() with
        {
            TransferredFrom = new CallRecordTransfer("call-old", A("bob@example.test")),
            TransferredTo = new CallRecordTransfer("call-new", A("bob@example.test"), A("carol@example.test")),
        };

        var json = OutboxJson.Write(new HistoryPayload(CallRecordPayload.Of(record), "alice@example.test"));
        var read = OutboxJson.ReadHistory(json).ToRecord();

        Assert.Equal((record.TransferredFrom, record.TransferredTo), (read.TransferredFrom, read.TransferredTo));
        Assert.Contains("\"transferredTo\":{\"callId\":\"call-new\",\"transferredBy\":\"bob@example.test\",\"target\":\"carol@example.test\"}", json, StringComparison.Ordinal);
        Assert.DoesNotContain("transferred", OutboxJson.Write(new HistoryPayload(CallRecordPayload.Of(Forwarded()), "alice@example.test")), StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => OutboxJson.ReadHistory(json.Replace("\"carol@example.test\"", "\"not an address\"", StringComparison.Ordinal)).ToRecord());
    }

    [Fact]
    public void A_call_placed_by_a_transfer_tells_the_calls_it_replaces_when_it_rings_is_answered_or_fails()
    {
        var ringing = GoldenCall("ended") with
        {
            CallId = "call-new",
            Phase = CallPhase.Ringing,
            AnsweredAt = null,
            EndedAt = null,
            TransferredFrom = new TransferOrigin("call-old", A("bob@example.test"), "call-consult", "carol-phone"),
        };
        var dialing = ringing with { Phase = CallPhase.Dialing };
        var answered = ringing with { Phase = CallPhase.Connected, AnsweredAt = Start };
        var failed = ringing with { Phase = CallPhase.Ended, EndedAt = Start, Callee = ringing.Callee with { End = new CallEnd(EndReason.Rejected, 603) } };
        var settings = new CallOutboxSettings(TimeSpan.FromSeconds(60), Webhooks: false);

        IEnumerable<(string CallId, string Progress, string? Reason)> Progress(Call before, Call after) =>
            CallOutbox.MessagesOf(before, Changed(before, after), Start, settings)
                .Where(m => m.Topic == OutboxTopic.Transfers)
                .Select(m => (m.CallId, OutboxJson.ReadTransferProgress(m.Payload)))
                .Select(m => (m.CallId, m.Item2.Progress, m.Item2.Reason));

        Assert.Equal([("call-old", "Ringing", (string?)null), ("call-consult", "Ringing", null)], Progress(dialing, ringing));
        Assert.Equal([("call-old", "Succeeded", (string?)null), ("call-consult", "Succeeded", null)], Progress(ringing, answered));
        Assert.Equal([("call-old", "Failed", "Rejected"), ("call-consult", "Failed", "Rejected")], Progress(ringing, failed));
        Assert.Empty(Progress(answered, answered with { Caller = answered.Caller with { Muted = true } }));
        Assert.Empty(Progress(dialing with { TransferredFrom = null }, ringing with { TransferredFrom = null }));

        var payload = OutboxJson.ReadTransferProgress(CallOutbox.MessagesOf(ringing, Changed(ringing, failed), Start, settings).First(m => m.Topic == OutboxTopic.Transfers).Payload);
        Assert.Equal(new Domain.Commands.TransferProgressed("call-new", TransferProgress.Failed, EndReason.Rejected), payload.ToCommand());
        Assert.ThrowsAny<JsonException>(() => (payload with { Progress = "Maybe" }).ToCommand());
    }

    [Fact]
    public void A_record_without_offered_was_offered()
    {
        var json = HistoryJson();
        json.Remove("offered");

        Assert.True(OutboxJson.ReadHistory(json.ToJsonString()).ToRecord().Offered);
    }

    public static TheoryData<string, JsonNode?> Breakages => new()
    {
        { "callId", null },
        { "caller", JsonValue.Create("Alice@Example.test") },
        { "caller", JsonValue.Create("alice") },
        { "callerAnonymous", JsonValue.Create("no") },
        { "forwardChain", JsonValue.Create("bob@example.test") },
        { "forwardChain", new JsonArray(JsonValue.Create("Bob")) },
        { "createdAt", JsonValue.Create("yesterday") },
        { "endedAt", null },
        { "durationSeconds", JsonValue.Create(-1) },
        { "holdSeconds", JsonValue.Create("1e400") },
        { "callerEnd", new JsonObject { ["reason"] = "Vanished", ["statusCode"] = 1 } },
        { "calleeEnd", new JsonObject { ["reason"] = "1", ["statusCode"] = 1 } },
        { "calleeEnd", new JsonObject { ["reason"] = "Rejected" } },
        { "callerAccount", null },
        { "callerAccount", JsonValue.Create(42) },
        { "callerAccount", JsonValue.Create("ALICE") },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_history_payload_with_a_field_missing_or_wrong_is_a_JsonException(string field, JsonNode? value)
    {
        var json = HistoryJson();
        if (value is null)
        {
            json.Remove(field);
        }
        else
        {
            json[field] = value;
        }

        Assert.ThrowsAny<JsonException>(() =>
        {
            var payload = OutboxJson.ReadHistory(json.ToJsonString());
            _ = payload.ToRecord();
            _ = payload.CallerAccountAddress();
        });
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{")]
    [InlineData("null")]
    [InlineData("{\"kind\":\"incomingCall\"}")]
    public void A_payload_that_is_not_of_its_topic_is_a_JsonException(string payload)
    {
        Assert.ThrowsAny<JsonException>(() => OutboxJson.ReadHistory(payload));
        Assert.ThrowsAny<JsonException>(() => OutboxJson.ReadWebhook(payload));
        if (!payload.Contains("kind", StringComparison.Ordinal))
        {
            Assert.ThrowsAny<JsonException>(() => OutboxJson.ReadPush(payload));
        }
    }

    private static JsonObject HistoryJson() =>
        JsonNode.Parse(OutboxJson.Write(new HistoryPayload(CallRecordPayload.Of(Forwarded()), "alice@example.test")))!.AsObject();

    private static TimeSpan Millis(TimeSpan duration) => TimeSpan.FromMilliseconds(Math.Round(duration.TotalMilliseconds));
}
