using System.Text.Json;
using CallServer.Adapters;
using CallServer.Storage.Tests.Infrastructure;

namespace CallServer.Storage.Tests.StoredFormat;

/// <summary>
/// The golden v0 files are what the unversioned writer (the domain record serialised as it is) makes of the
/// golden samples; this holds until the stored format gets its own types.
/// </summary>
public sealed class UnversionedWriterTests
{
    [Fact]
    public void The_unversioned_writer_writes_the_golden_v0_call_files()
    {
        foreach (var (name, call) in GoldenCalls.Calls)
        {
            Assert.Equal(File.ReadAllText(Path.Combine("Golden", $"call-v0-{name}.json")), JsonSerializer.Serialize(call, StoredCallJson.Options));
        }
    }

    [Fact]
    public void The_unversioned_writer_writes_the_golden_v0_user_files()
    {
        foreach (var (name, user) in GoldenCalls.Users)
        {
            Assert.Equal(File.ReadAllText(Path.Combine("Golden", $"user-v0-{name}.json")), JsonSerializer.Serialize(user, StoredCallJson.Options));
        }
    }
}
