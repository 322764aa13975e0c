using System.Text.Json.Nodes;
using CallServer.Adapters;
using CallServer.Adapters.Calls;
using CallServer.Domain.Calls;
using CallServer.Domain.Sdp;
using CallServer.Storage.Tests.Infrastructure;
using FsCheck;
using FsCheck.Fluent;

namespace CallServer.Storage.Tests.StoredFormat;

public sealed class StoredCallFormatTests : StoredFormatContract<Call>
{
    protected override string Kind => "call";

    protected override int CurrentSchema => StoredCallFormat.CurrentSchema;

    protected override IReadOnlyDictionary<string, Call> Samples => GoldenCalls.Calls;

    protected override IReadOnlyDictionary<string, Call> SamplesAddedInCurrentSchema => GoldenCalls.CallsAddedInSchema1;

    protected override Gen<Call> RandomRecords => Infrastructure.RandomRecords.Calls;

    protected override IReadOnlyList<string> DerivedFieldsOfSchema0 => ["isRinging", "isConnected", "ringingDevices"];

    protected override string Write(Call record) => StoredCallFormat.Write(record);

    protected override Call Read(string record) => StoredCallFormat.Read(record);

    protected override void AssertSame(Call expected, Call? actual) => CallAssert.Same(expected, actual);

    [Fact]
    public void The_mapping_to_the_storage_type_and_back_is_the_identity_for_random_calls()
    {
        var property = Prop.ForAll(
            Arb.From(Infrastructure.RandomRecords.Calls),
            call => CallAssert.Same(call, StoredCallFormat.ToDomain(StoredCallFormat.ToStored(call))));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void Every_value_of_every_enum_in_a_call_has_a_stored_name_that_reads_back()
    {
        var full = GoldenCalls.Calls["full"];
        var calls =
            Enum.GetValues<CallPhase>().Select(phase => full with { Phase = phase })
            .Concat(Enum.GetValues<OfferKind>().Select(kind => full with { OfferKind = kind }))
            .Concat(Enum.GetValues<EndReason>().Select(reason => full with { Caller = full.Caller with { End = new CallEnd(reason, 1) } }))
            .Concat(Enum.GetValues<MediaOperation>().Select(operation => full with { PendingOperation = full.PendingOperation! with { Operation = operation } }))
            .Concat(Enum.GetValues<CallSide>().Select(side => full with { PendingOperation = full.PendingOperation! with { Initiator = side } }));

        foreach (var call in calls)
        {
            CallAssert.Same(call, StoredCallFormat.Read(StoredCallFormat.Write(call)));
        }
    }

    [Fact]
    public void A_node_of_the_previous_version_reads_each_current_record_into_the_same_call()
    {
        foreach (var (name, call) in GoldenCalls.Calls)
        {
            CallAssert.Same(call, PreviousVersion.ReadCall(GoldenFiles.Read(Kind, CurrentSchema, name)));
            CallAssert.Same(call, PreviousVersion.ReadCall(StoredCallFormat.Write(call)));
        }
    }

    [Fact]
    public void A_node_of_the_previous_version_reads_a_call_with_the_fields_of_issue_18_skipping_them()
    {
        foreach (var (name, call) in GoldenCalls.CallsAddedInSchema1)
        {
            var read = PreviousVersion.ReadCall(GoldenFiles.Read(Kind, CurrentSchema, name));
            Assert.NotNull(read);
            Assert.Equal((call.CallId, call.Version, call.Phase), (read.CallId, read.Version, read.Phase));
        }
    }

    [Fact]
    public void The_frozen_previous_version_still_writes_the_golden_files_of_schema_0()
    {
        // The files were made by the unversioned writer before it was replaced; this keeps its frozen copy honest.
        foreach (var (name, call) in GoldenCalls.Calls)
        {
            Assert.Equal(GoldenFiles.Read(Kind, 0, name), PreviousVersion.Write(call));
        }
    }

    [Theory]
    [InlineData("phase", "Ringing", "Alerting")]
    [InlineData("end.reason", "EndedLocally", "EndedByAlien")]
    [InlineData("offerKind", "AudioWithInactiveVideo", "Hologram")]
    [InlineData("pendingOperation.operation", "HoldCall", "Transfer")]
    public void An_enum_name_this_node_does_not_know_is_refused_not_guessed(string field, string known, string unknown)
    {
        var name = field == "phase" ? "ringing" : field == "end.reason" ? "ended" : "incall";
        var record = GoldenFiles.Read(Kind, CurrentSchema, name);
        Assert.Contains($"\"{known}\"", record, StringComparison.Ordinal);

        var refused = Assert.Throws<StoredFormatException>(() => StoredCallFormat.Read(record.Replace($"\"{known}\"", $"\"{unknown}\"", StringComparison.Ordinal)));

        Assert.Contains(unknown, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"alice@example.test\"", "\"Alice@Example.test\"")]
    [InlineData("\"alice@example.test\"", "\"alice\"")]
    [InlineData("\"bob@example.test\"", "\"not an address\"")]
    [InlineData("\"bob@example.test\"", "null")]
    public void An_address_that_is_not_stored_normalised_is_refused_not_normalised(string stored, string broken)
    {
        var record = GoldenFiles.Read(Kind, CurrentSchema, "incall");

        Assert.Throws<StoredFormatException>(() => StoredCallFormat.Read(record.Replace(stored, broken, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("devices")]
    [InlineData("forwardChain")]
    [InlineData("candidatesForCallee")]
    [InlineData("candidatesFromDevices")]
    public void A_null_list_or_a_null_in_a_list_is_refused(string list)
    {
        var record = JsonNode.Parse(GoldenFiles.Read(Kind, CurrentSchema, "ringing"))!.AsObject();
        record[list] = null;
        Assert.Throws<StoredFormatException>(() => StoredCallFormat.Read(record.ToJsonString()));

        record[list] = new JsonArray((JsonNode?)null);
        Assert.Throws<StoredFormatException>(() => StoredCallFormat.Read(record.ToJsonString()));
    }

    [Theory]
    [InlineData("callId")]
    [InlineData("caller")]
    [InlineData("callee")]
    [InlineData("phase")]
    public void A_record_without_a_required_field_is_refused(string field)
    {
        var record = JsonNode.Parse(GoldenFiles.Read(Kind, 0, "incall"))!.AsObject();
        record.Remove(field);

        Assert.Throws<StoredFormatException>(() => StoredCallFormat.Read(record.ToJsonString()));
    }
}
