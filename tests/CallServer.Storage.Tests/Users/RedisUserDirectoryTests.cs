using System.Text.Json.Nodes;
using CallServer.Adapters;
using CallServer.Adapters.Redis;
using CallServer.Adapters.Users;
using CallServer.Application;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using CallServer.Storage.Tests.StoredFormat;

namespace CallServer.Storage.Tests.Users;

public sealed class RedisUserDirectoryTests : UserDirectoryContract, IClassFixture<RedisServer>, IDisposable
{
    private readonly RedisScope redis;

    private readonly RedisServer server;

    public RedisUserDirectoryTests(RedisServer server)
    {
        this.server = server;
        redis = new RedisScope(server);
        Directory = new RedisUserDirectory(redis.Connect(), redis.Keys);
    }

    protected override IUserDirectory Directory { get; }

    [Fact]
    public async Task A_user_a_node_of_the_previous_version_stored_is_found_and_listed_and_new_users_get_the_current_schema()
    {
        var alice = GoldenCalls.Users["alice"];
        var gateway = GoldenCalls.Users["pstn-gateway"];

        // As a node of the previous version left it: the same key and set, a record without a schema.
        await server.ExecuteAsync("SET", (string)redis.Keys.User(alice.Address.Value)!, GoldenFiles.Read("user", 0, "alice"));
        await server.ExecuteAsync("SADD", (string)redis.Keys.Users!, alice.Address.Value);

        UserAssert.Same(alice, await Directory.FindAsync(alice.Address));
        Assert.False(await Directory.TryAddAsync(alice with { PasswordHash = "other" }));
        Assert.True(await Directory.TryAddAsync(gateway));

        var listed = await Directory.ListAsync();
        Assert.Equal(2, listed.Count);
        UserAssert.Same(alice, listed[0]);
        UserAssert.Same(gateway, listed[1]);
        var written = JsonNode.Parse((string)(await server.ExecuteAsync("GET", (string)redis.Keys.User(gateway.Address.Value)!))!)!;
        Assert.Equal(StoredUserFormat.CurrentSchema, (int)written[StoredJson.SchemaField]!);
        Assert.Equal(GoldenFiles.Read("user", 0, "alice"), await server.ExecuteAsync("GET", (string)redis.Keys.User(alice.Address.Value)!));
    }

    [Fact]
    public async Task A_user_of_a_newer_schema_is_refused_as_unavailable()
    {
        var alice = GoldenCalls.Users["alice"];
        var newer = JsonNode.Parse(GoldenFiles.Read("user", StoredUserFormat.CurrentSchema, "alice"))!.AsObject();
        newer[StoredJson.SchemaField] = StoredUserFormat.CurrentSchema + 1;
        await server.ExecuteAsync("SET", (string)redis.Keys.User(alice.Address.Value)!, newer.ToJsonString());
        await server.ExecuteAsync("SADD", (string)redis.Keys.Users!, alice.Address.Value);

        var refused = await Assert.ThrowsAsync<StoreUnavailableException>(() => Directory.FindAsync(alice.Address));
        Assert.Contains($"schema {StoredUserFormat.CurrentSchema + 1}", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StoreUnavailableException>(() => Directory.ListAsync());
    }

    public void Dispose() => redis.Dispose();
}
