using System.Text.Json.Nodes;
using CallServer.Adapters;
using FsCheck;
using FsCheck.Fluent;

namespace CallServer.Storage.Tests.StoredFormat;

/// <summary>
/// What every stored record format must do across versions; one subclass per record (call, user). The golden
/// files are what nodes of each schema wrote: this version must read all of them into the samples they were
/// made from, and write exactly the files of the current schema.
/// </summary>
/// <typeparam name="T">The domain record.</typeparam>
public abstract class StoredFormatContract<T>
{
    /// <summary>The record's name in the golden files' names (<c>call</c>, <c>user</c>).</summary>
    protected abstract string Kind { get; }

    protected abstract int CurrentSchema { get; }

    /// <summary>The samples the golden files were made from, by name.</summary>
    protected abstract IReadOnlyDictionary<string, T> Samples { get; }

    /// <summary>
    /// Samples of fields added within the current schema (additive fields a node of the previous version skips), which
    /// schema 0 never had: golden files of the current schema only (<c>{kind}-v{schema}-{name}.json</c>).
    /// </summary>
    protected virtual IReadOnlyDictionary<string, T> SamplesAddedInCurrentSchema => new Dictionary<string, T>();

    /// <summary>Random records of every shape the domain allows.</summary>
    protected abstract Gen<T> RandomRecords { get; }

    /// <summary>Fields schema 0 wrote that were derived from the others (read-only properties); schema 1 drops them.</summary>
    protected virtual IReadOnlyList<string> DerivedFieldsOfSchema0 => [];

    protected abstract string Write(T record);

    protected abstract T Read(string record);

    protected abstract void AssertSame(T expected, T? actual);

    [Fact]
    public void Every_sample_has_a_golden_file_of_schema_0_and_of_the_current_schema_and_no_file_lacks_its_sample()
    {
        var samples = Samples.Keys.Order(StringComparer.Ordinal).ToList();

        Assert.Equal(samples, GoldenFiles.Names(Kind, 0));
        Assert.All(GoldenFiles.Names(Kind, CurrentSchema), name => Assert.True(samples.Contains(name) || SamplesAddedInCurrentSchema.ContainsKey(name), $"{name} has no sample"));
        Assert.DoesNotContain(SamplesAddedInCurrentSchema.Keys, name => samples.Contains(name));
    }

    [Fact]
    public void Each_sample_added_in_the_current_schema_reads_from_its_golden_file_and_is_written_exactly_so()
    {
        var created = new List<string>();
        foreach (var (name, sample) in SamplesAddedInCurrentSchema)
        {
            var written = Write(sample);
            if (!GoldenFiles.Exists(Kind, CurrentSchema, name))
            {
                created.Add(GoldenFiles.Create(Kind, CurrentSchema, name, written));
                continue;
            }

            AssertSameSample(name, sample, Read(GoldenFiles.Read(Kind, CurrentSchema, name)));
            Assert.Equal(GoldenFiles.Read(Kind, CurrentSchema, name), written);
        }

        Assert.True(created.Count == 0, "New golden files were written; check them and commit them:\n" + string.Join('\n', created));
    }

    [Fact]
    public void Each_golden_file_of_schema_0_reads_into_the_sample_it_was_made_from()
    {
        foreach (var (name, sample) in Samples)
        {
            AssertSameSample(name, sample, Read(GoldenFiles.Read(Kind, 0, name)));
        }
    }

    [Fact]
    public void Each_golden_file_of_the_current_schema_reads_into_the_sample_it_was_made_from()
    {
        foreach (var (name, sample) in Samples)
        {
            AssertSameSample(name, sample, Read(GoldenFiles.Read(Kind, CurrentSchema, name)));
        }
    }

    [Fact]
    public void The_writer_writes_exactly_the_golden_files_of_the_current_schema()
    {
        var created = new List<string>();
        foreach (var (name, sample) in Samples)
        {
            var written = Write(sample);
            if (!GoldenFiles.Exists(Kind, CurrentSchema, name))
            {
                created.Add(GoldenFiles.Create(Kind, CurrentSchema, name, written));
                continue;
            }

            // A difference here is a change of the stored format: see "Stored format and rolling upgrades".
            Assert.Equal(GoldenFiles.Read(Kind, CurrentSchema, name), written);
        }

        Assert.True(created.Count == 0, "New golden files were written; check them and commit them:\n" + string.Join('\n', created));
    }

    [Fact]
    public void A_record_of_the_current_schema_has_the_fields_of_schema_0_and_the_schema_so_a_node_of_the_previous_version_reads_it()
    {
        // The previous version read with System.Text.Json's defaults: unknown fields skipped. So it reads a
        // current record into the same record as long as every field it knew is there, with the same value.
        foreach (var name in Samples.Keys)
        {
            var before = JsonNode.Parse(GoldenFiles.Read(Kind, 0, name))!.AsObject();
            var now = JsonNode.Parse(GoldenFiles.Read(Kind, CurrentSchema, name))!.AsObject();
            foreach (var derived in DerivedFieldsOfSchema0)
            {
                Assert.True(before.Remove(derived), $"{name}: schema 0 wrote {derived}");
            }

            Assert.Equal(CurrentSchema, (int)now[StoredJson.SchemaField]!);
            Assert.Equal(StoredJson.SchemaField, now.First().Key);
            now.Remove(StoredJson.SchemaField);
            Assert.True(JsonNode.DeepEquals(before, now), $"{name}: schema {CurrentSchema} is schema 0 plus the schema:\n{before}\n{now}");
        }
    }

    [Fact]
    public void Each_sample_round_trips()
    {
        foreach (var (name, sample) in Samples)
        {
            AssertSameSample(name, sample, Read(Write(sample)));
        }
    }

    [Fact]
    public void Random_records_round_trip()
    {
        var property = Prop.ForAll(Arb.From(RandomRecords), record => AssertSame(record, Read(Write(record))));

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), property);
    }

    [Fact]
    public void A_record_of_a_newer_schema_is_refused_and_says_so()
    {
        var newer = JsonNode.Parse(GoldenFiles.Read(Kind, CurrentSchema, Samples.Keys.First()))!.AsObject();
        newer[StoredJson.SchemaField] = CurrentSchema + 1;

        var refused = Assert.Throws<StoredSchemaException>(() => Read(newer.ToJsonString()));

        Assert.Equal(CurrentSchema + 1, refused.Schema);
        Assert.Equal(CurrentSchema, refused.NewestKnown);
        Assert.Contains($"schema {CurrentSchema + 1}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("newer version", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_newer_schema_is_refused_even_when_its_fields_no_longer_fit_the_current_types()
    {
        var record = $$"""{"{{StoredJson.SchemaField}}":{{CurrentSchema + 1}},"callId":{"renamed":true},"caller":7}""";

        Assert.Throws<StoredSchemaException>(() => Read(record));
    }

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("null")]
    public void A_record_whose_schema_is_no_whole_number_from_1_is_refused(string schema)
    {
        var record = GoldenFiles.Read(Kind, 0, Samples.Keys.First());
        var broken = "{\"" + StoredJson.SchemaField + "\":" + schema + "," + record[1..];

        var refused = Assert.Throws<StoredFormatException>(() => Read(broken));

        Assert.IsNotType<StoredSchemaException>(refused);
    }

    [Fact]
    public void Unknown_fields_are_skipped_as_a_newer_node_may_add_some()
    {
        foreach (var (name, sample) in Samples)
        {
            var record = JsonNode.Parse(GoldenFiles.Read(Kind, CurrentSchema, name))!.AsObject();
            record["addedLater"] = new JsonObject { ["nested"] = new JsonArray(1, "two") };

            AssertSameSample(name, sample, Read(record.ToJsonString()));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"schema\":1}")]
    public void A_record_that_is_no_record_is_refused(string record)
    {
        Assert.Throws<StoredFormatException>(() => Read(record));
    }

    private void AssertSameSample(string name, T expected, T actual)
    {
        try
        {
            AssertSame(expected, actual);
        }
        catch (Exception exception) when (exception is Xunit.Sdk.XunitException)
        {
            throw new Xunit.Sdk.XunitException($"sample {name}: {exception.Message}");
        }
    }
}
