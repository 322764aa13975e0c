using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Commands;
using CallServer.Domain.Decisions;
using CallServer.Domain.Ports;
using CallServer.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Application;

/// <summary>Looks up the facts the decider needs about addresses: who is registered, who would ring, and where.</summary>
public sealed class CallDirectory(RecentUsers users, IPresence presence, IPushRegistrationStore pushRegistrations, ICallStore callStore, IOptions<CallsOptions> calls, IOptions<PstnOptions> pstn)
{
    public string DefaultDomain => calls.Value.DefaultDomain;

    public Address? Parse(string? text) => Address.TryParse(text, DefaultDomain, out var address) ? address : null;

    /// <summary>The account whose devices ring for <paramref name="callee"/>; null when there is none.</summary>
    public async Task<Address?> RingAccountOfAsync(Address? callee, CancellationToken cancellationToken) =>
        (await RingUserOfAsync(callee, cancellationToken))?.Address;

    private async Task<UserAccount?> RingUserOfAsync(Address? callee, CancellationToken cancellationToken) => callee?.Kind switch
    {
        AddressKind.User => await users.FindAsync(callee, cancellationToken),
        AddressKind.Telephone when Parse(pstn.Value.GatewayUser) is { } gateway => await users.FindAsync(gateway, cancellationToken),
        _ => null,
    };

    /// <summary>
    /// The ring account of <paramref name="callee"/>, its devices connected now, which of them are in another call,
    /// whether it can be woken by a push, and its busy policy (rule 22).
    /// </summary>
    public Task<CalleeLookup> LookupAsync(Address? callee, CancellationToken cancellationToken) =>
        LookupAsync(callee, forCall: null, cancellationToken);

    /// <summary>The same, without reading <paramref name="forCall"/>, a call the asker has at hand (the one being established).</summary>
    public async Task<CalleeLookup> LookupAsync(Address? callee, string? forCall, CancellationToken cancellationToken)
    {
        var user = await RingUserOfAsync(callee, cancellationToken);
        if (user is null)
        {
            return CalleeLookup.NotFound;
        }

        // Independent reads, sent together.
        var account = user.Address;
        var devices = presence.GetDevicesAsync(account, cancellationToken);
        var wakeable = pushRegistrations.HasAnyAsync(account, cancellationToken);
        var active = forCall is null ? callStore.GetActiveCallsOfAsync(account, cancellationToken) : callStore.GetActiveCallsOfAsync(account, forCall, cancellationToken);
        await Task.WhenAll(devices, wakeable, active);
        return new CalleeLookup(account, await devices, await wakeable)
        {
            BusyDevices = CallDecider.DevicesInCall(await active, account),
            BusyPolicy = user.BusyPolicy ?? calls.Value.BusyPolicy,
        };
    }

    /// <summary>The decider's view of the one who calls.</summary>
    public async Task<CallerProfile> ProfileOfAsync(Auth.CallerIdentity identity, CancellationToken cancellationToken)
    {
        if (identity.IsAnonymous)
        {
            return new CallerProfile(true, false, identity.AllowedCallees, identity.DisplayName);
        }

        var user = await users.FindAsync(identity.Account, cancellationToken);
        return new CallerProfile(false, user is { PhoneNumbers.Count: > 0 }, null, identity.DisplayName);
    }
}
