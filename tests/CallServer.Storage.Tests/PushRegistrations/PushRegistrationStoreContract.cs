using CallServer.Ports;
using CallServer.Push;
using CallServer.Storage.Tests.Infrastructure;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.PushRegistrations;

/// <summary>What every <see cref="IPushRegistrationStore"/> must do; one subclass per implementation.</summary>
public abstract class PushRegistrationStoreContract
{
    protected ManualClock Clock { get; } = new();

    protected abstract IPushRegistrationStore Store { get; }

    /// <summary>The same registrations as another node sees them.</summary>
    protected abstract IPushRegistrationStore OtherNode { get; }

    private PushRegistration Apns(string id, string account = "bob", string token = "a1b2c3") =>
        new(id, User(account), PushPlatform.Apns, token, null, null, Clock.GetUtcNow());

    private PushRegistration WebPush(string id, string account = "bob") =>
        new(id, User(account), PushPlatform.WebPush, null, new WebPushSubscription("https://push.example/sub/1", "BPkey", "authsecret"), "softphone", Clock.GetUtcNow());

    [Fact]
    public async Task A_registration_round_trips_every_field_and_belongs_to_its_account_only()
    {
        var web = WebPush("browser-1");
        var apns = Apns("iphone-1") with { AppId = "com.example.app" };
        Assert.Equal(PushRegistrationPut.Stored, await Store.PutAsync(web, 10));
        Assert.Equal(PushRegistrationPut.Stored, await Store.PutAsync(apns, 10));

        Assert.Equal([web, apns], (await OtherNode.ListAsync(User("bob"))).OrderBy(r => r.RegistrationId).ToList());
        Assert.True(await OtherNode.HasAnyAsync(User("bob")));
        Assert.Empty(await OtherNode.ListAsync(User("alice")));
        Assert.False(await OtherNode.HasAnyAsync(User("alice")));
    }

    [Fact]
    public async Task Putting_the_same_id_again_replaces_it_and_the_limit_counts_ids_not_puts()
    {
        Assert.Equal(PushRegistrationPut.Stored, await Store.PutAsync(Apns("one", token: "old"), 2));
        Assert.Equal(PushRegistrationPut.Stored, await Store.PutAsync(Apns("two"), 2));
        Assert.Equal(PushRegistrationPut.Stored, await Store.PutAsync(Apns("one", token: "new"), 2));
        Assert.Equal(PushRegistrationPut.LimitReached, await OtherNode.PutAsync(Apns("three"), 2));

        var stored = await Store.ListAsync(User("bob"));
        Assert.Equal(["one", "two"], stored.Select(r => r.RegistrationId));
        Assert.Equal("new", stored[0].Token);
    }

    [Fact]
    public async Task Concurrent_puts_of_new_ids_never_pass_the_limit()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? Store : OtherNode).PutAsync(Apns($"device-{i}"), 5)));
        Assert.Equal(5, results.Count(r => r == PushRegistrationPut.Stored));
        Assert.Equal(5, (await Store.ListAsync(User("bob"))).Count);
    }

    [Fact]
    public async Task Delete_if_unchanged_spares_a_registration_whose_token_was_refreshed_meanwhile()
    {
        var old = Apns("phone", token: "old-token");
        await Store.PutAsync(old, 10);
        await OtherNode.PutAsync(old with { Token = "new-token" }, 10);

        Assert.False(await Store.DeleteIfUnchangedAsync(old));
        Assert.Equal("new-token", Assert.Single(await Store.ListAsync(User("bob"))).Token);

        var current = Assert.Single(await OtherNode.ListAsync(User("bob")));
        Assert.True(await Store.DeleteIfUnchangedAsync(current));
        Assert.Empty(await OtherNode.ListAsync(User("bob")));
    }

    [Fact]
    public async Task Delete_takes_one_id_and_delete_all_takes_the_account()
    {
        await Store.PutAsync(Apns("a"), 10);
        await Store.PutAsync(Apns("b"), 10);
        await Store.PutAsync(Apns("c", account: "carol"), 10);

        Assert.True(await OtherNode.DeleteAsync(User("bob"), "a"));
        Assert.False(await OtherNode.DeleteAsync(User("bob"), "a"));
        Assert.False(await OtherNode.DeleteAsync(User("alice"), "b"));
        Assert.Equal(["b"], (await Store.ListAsync(User("bob"))).Select(r => r.RegistrationId));

        await Store.DeleteAllAsync(User("bob"));
        Assert.False(await OtherNode.HasAnyAsync(User("bob")));
        Assert.True(await OtherNode.HasAnyAsync(User("carol")));
    }
}
