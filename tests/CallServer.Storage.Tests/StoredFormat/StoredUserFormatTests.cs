using CallServer.Adapters.Users;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using FsCheck;

namespace CallServer.Storage.Tests.StoredFormat;

public sealed class StoredUserFormatTests : StoredFormatContract<UserAccount>
{
    protected override string Kind => "user";

    protected override int CurrentSchema => StoredUserFormat.CurrentSchema;

    protected override IReadOnlyDictionary<string, UserAccount> Samples => GoldenCalls.Users;

    protected override IReadOnlyDictionary<string, UserAccount> SamplesAddedInCurrentSchema => GoldenCalls.UsersAddedInSchema1;

    protected override Gen<UserAccount> RandomRecords => Infrastructure.RandomRecords.Users;

    protected override string Write(UserAccount record) => StoredUserFormat.Write(record);

    protected override UserAccount Read(string record) => StoredUserFormat.Read(record);

    protected override void AssertSame(UserAccount expected, UserAccount? actual) => UserAssert.Same(expected, actual);

    [Fact]
    public void A_node_of_the_previous_version_reads_each_current_record_into_the_same_user()
    {
        foreach (var (name, user) in GoldenCalls.Users)
        {
            UserAssert.Same(user, PreviousVersion.ReadUser(GoldenFiles.Read(Kind, CurrentSchema, name)));
            UserAssert.Same(user, PreviousVersion.ReadUser(StoredUserFormat.Write(user)));
        }
    }

    [Fact]
    public void The_frozen_previous_version_still_writes_the_golden_files_of_schema_0()
    {
        foreach (var (name, user) in GoldenCalls.Users)
        {
            Assert.Equal(GoldenFiles.Read(Kind, 0, name), PreviousVersion.Write(user));
        }
    }
}
