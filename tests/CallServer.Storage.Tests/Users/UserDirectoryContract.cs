using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;
using CallServer.Storage.Tests.Infrastructure;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Users;

/// <summary>What every <see cref="IUserDirectory"/> must do; one subclass per implementation.</summary>
public abstract class UserDirectoryContract
{
    private static readonly DateTimeOffset CreatedAt = new(2025, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(-5));

    protected abstract IUserDirectory Directory { get; }

    protected static UserAccount Account(string username, params string[] phoneNumbers) =>
        new(username, User(username), "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA", phoneNumbers, CreatedAt);

    [Fact]
    public async Task Finding_an_unknown_user_gives_null()
    {
        Assert.Null(await Directory.FindAsync(User("ghost")));
    }

    [Fact]
    public async Task An_added_user_is_found_with_every_field()
    {
        var alice = Account("alice", "+15551230001", "+442071838750");

        Assert.True(await Directory.TryAddAsync(alice));

        UserAssert.Same(alice, await Directory.FindAsync(User("alice")));
        UserAssert.Same(alice, await Directory.FindAsync(Address.Parse("ALICE@Example.Test", "other.test")));
    }

    [Fact]
    public async Task Adding_a_taken_address_fails_and_keeps_the_first()
    {
        var first = Account("alice", "+15551230001");
        var second = first with { PasswordHash = "other", PhoneNumbers = [] };
        Assert.True(await Directory.TryAddAsync(first));

        Assert.False(await Directory.TryAddAsync(second));

        UserAssert.Same(first, await Directory.FindAsync(first.Address));
        Assert.Single(await Directory.ListAsync());
    }

    [Fact]
    public async Task An_update_replaces_the_record_and_is_found_with_every_field()
    {
        var alice = Account("alice", "+15551230001");
        await Directory.TryAddAsync(alice);
        var busy = alice with { BusyPolicy = Domain.Calls.BusyPolicy.Busy };

        Assert.True(await Directory.TryUpdateAsync(busy));
        UserAssert.Same(busy, await Directory.FindAsync(alice.Address));

        Assert.True(await Directory.TryUpdateAsync(alice));
        UserAssert.Same(alice, await Directory.FindAsync(alice.Address));
        Assert.Single(await Directory.ListAsync());
    }

    [Fact]
    public async Task Updating_a_user_that_does_not_exist_fails_and_creates_nothing()
    {
        Assert.False(await Directory.TryUpdateAsync(Account("ghost") with { BusyPolicy = Domain.Calls.BusyPolicy.Busy }));

        Assert.Null(await Directory.FindAsync(User("ghost")));
        Assert.Empty(await Directory.ListAsync());

        await Directory.TryAddAsync(Account("bob"));
        Assert.True(await Directory.RemoveAsync(User("bob")));
        Assert.False(await Directory.TryUpdateAsync(Account("bob")));
        Assert.Null(await Directory.FindAsync(User("bob")));
    }

    [Fact]
    public async Task A_removed_user_is_gone()
    {
        await Directory.TryAddAsync(Account("alice"));
        await Directory.TryAddAsync(Account("bob"));

        Assert.True(await Directory.RemoveAsync(User("alice")));

        Assert.Null(await Directory.FindAsync(User("alice")));
        Assert.Equal(["bob"], (await Directory.ListAsync()).Select(u => u.Username));
        Assert.False(await Directory.RemoveAsync(User("alice")));
        Assert.True(await Directory.TryAddAsync(Account("alice")));
    }

    [Fact]
    public async Task Users_are_listed_by_address()
    {
        Assert.Empty(await Directory.ListAsync());
        foreach (var name in new[] { "mallory", "alice", "zoe", "bob" })
        {
            await Directory.TryAddAsync(Account(name, "+1555000" + name.Length));
        }

        var listed = await Directory.ListAsync();

        Assert.Equal(["alice", "bob", "mallory", "zoe"], listed.Select(u => u.Username));
        UserAssert.Same(Account("mallory", "+15550007"), listed[2]);
    }

    [Fact]
    public async Task Of_concurrent_adds_of_one_address_exactly_one_succeeds()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Task.Run(() => Directory.TryAddAsync(Account("alice") with { PasswordHash = "hash-" + i }))));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single(await Directory.ListAsync());
    }
}
