using CallServer.Domain.Ports;
using static CallServer.Storage.Tests.Infrastructure.SampleCalls;

namespace CallServer.Storage.Tests.Presence;

/// <summary>What every <see cref="IPresence"/> must do; one subclass per implementation.</summary>
public abstract class PresenceContract
{
    protected abstract IPresence Presence { get; }

    [Fact]
    public async Task An_account_without_devices_has_none()
    {
        Assert.Empty(await Presence.GetDevicesAsync(User("nobody")));
    }

    [Fact]
    public async Task Added_devices_are_listed_until_removed()
    {
        var alice = User("alice");
        await Presence.AddAsync(alice, "phone");

        Assert.Equal(["phone"], await Presence.GetDevicesAsync(alice));

        await Presence.RemoveAsync(alice, "phone");

        Assert.Empty(await Presence.GetDevicesAsync(alice));
    }

    [Fact]
    public async Task An_account_may_have_several_devices()
    {
        var alice = User("alice");
        await Presence.AddAsync(alice, "phone");
        await Presence.AddAsync(alice, "laptop");
        await Presence.AddAsync(alice, "tablet");

        Assert.Equal(["laptop", "phone", "tablet"], await Sorted(alice));

        await Presence.RemoveAsync(alice, "laptop");

        Assert.Equal(["phone", "tablet"], await Sorted(alice));
    }

    [Fact]
    public async Task An_account_at_its_device_limit_gets_no_more_until_one_leaves()
    {
        var alice = User("alice");
        Assert.True(await Presence.AddAsync(alice, "phone", maxDevices: 2));
        Assert.True(await Presence.AddAsync(alice, "laptop", maxDevices: 2));

        Assert.False(await Presence.AddAsync(alice, "tablet", maxDevices: 2));
        Assert.True(await Presence.AddAsync(alice, "phone", maxDevices: 2)); // one already there is no new device
        Assert.True(await Presence.AddAsync(User("bob"), "bob-phone", maxDevices: 2));
        Assert.Equal(["laptop", "phone"], await Sorted(alice));

        await Presence.RemoveAsync(alice, "laptop");
        Assert.True(await Presence.AddAsync(alice, "tablet", maxDevices: 2));
        Assert.Equal(["phone", "tablet"], await Sorted(alice));
    }

    [Fact]
    public async Task Concurrent_devices_of_one_account_never_pass_its_limit()
    {
        var alice = User("alice");
        var added = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            await Task.Yield();
            return await Presence.AddAsync(alice, $"device-{i}", maxDevices: 10);
        }));

        Assert.Equal(10, added.Count(ok => ok));
        Assert.Equal(10, (await Presence.GetDevicesAsync(alice)).Count);
    }

    [Fact]
    public async Task Adding_a_device_twice_lists_it_once()
    {
        var alice = User("alice");
        await Presence.AddAsync(alice, "phone");
        await Presence.AddAsync(alice, "phone");

        Assert.Equal(["phone"], await Presence.GetDevicesAsync(alice));
    }

    [Fact]
    public async Task Accounts_do_not_see_each_others_devices()
    {
        await Presence.AddAsync(User("alice"), "alice-phone");
        await Presence.AddAsync(Anonymous("42"), "guest-browser");
        await Presence.AddAsync(Telephone("+15550001111"), "gateway-trunk");

        Assert.Equal(["alice-phone"], await Presence.GetDevicesAsync(User("alice")));
        Assert.Equal(["guest-browser"], await Presence.GetDevicesAsync(Anonymous("42")));
        Assert.Equal(["gateway-trunk"], await Presence.GetDevicesAsync(Telephone("+15550001111")));
        Assert.Empty(await Presence.GetDevicesAsync(User("bob")));
    }

    [Fact]
    public async Task Removing_an_unknown_device_changes_nothing()
    {
        var alice = User("alice");
        await Presence.AddAsync(alice, "phone");

        await Presence.RemoveAsync(alice, "laptop");
        await Presence.RemoveAsync(User("bob"), "phone");

        Assert.Equal(["phone"], await Presence.GetDevicesAsync(alice));
    }

    [Fact]
    public async Task Concurrent_adds_and_removes_leave_the_expected_devices()
    {
        var alice = User("alice");
        var devices = Enumerable.Range(0, 40).Select(i => $"device-{i:D2}").ToList();

        await Task.WhenAll(devices.Select(d => Task.Run(() => Presence.AddAsync(alice, d))));
        await Task.WhenAll(devices.Where((_, i) => i % 2 == 1).Select(d => Task.Run(() => Presence.RemoveAsync(alice, d))));

        Assert.Equal(devices.Where((_, i) => i % 2 == 0), await Sorted(alice));
    }

    private async Task<string[]> Sorted(Domain.Addresses.Address account) =>
        (await Presence.GetDevicesAsync(account)).Order(StringComparer.Ordinal).ToArray();
}
