using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Commands;
using CallServer.Domain.Ports;
using CallServer.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Application;

/// <summary>Looks up the facts the decider needs about addresses: who is registered, who would ring, and where.</summary>
public sealed class CallDirectory(RecentUsers users, IPresence presence, IPushRegistrationStore pushRegistrations, IOptions<CallsOptions> calls, IOptions<PstnOptions> pstn)
{
    public string DefaultDomain => calls.Value.DefaultDomain;

    public Address? Parse(string? text) => Address.TryParse(text, DefaultDomain, out var address) ? address : null;

    /// <summary>The account whose devices ring for <paramref name="callee"/>; null when there is none.</summary>
    public async Task<Address?> RingAccountOfAsync(Address? callee, CancellationToken cancellationToken)
    {
        switch (callee?.Kind)
        {
            case AddressKind.User:
                return await users.FindAsync(callee, cancellationToken) is null ? null : callee;
            case AddressKind.Telephone when Parse(pstn.Value.GatewayUser) is { } gateway:
                return await users.FindAsync(gateway, cancellationToken) is null ? null : gateway;
            default:
                return null;
        }
    }

    /// <summary>The ring account of <paramref name="callee"/>, its devices connected now, and whether it can be woken by a push.</summary>
    public async Task<CalleeLookup> LookupAsync(Address? callee, CancellationToken cancellationToken)
    {
        var account = await RingAccountOfAsync(callee, cancellationToken);
        if (account is null)
        {
            return CalleeLookup.NotFound;
        }

        // Independent reads, sent together.
        var devices = presence.GetDevicesAsync(account, cancellationToken);
        var wakeable = pushRegistrations.HasAnyAsync(account, cancellationToken);
        await Task.WhenAll(devices, wakeable);
        return new CalleeLookup(account, await devices, await wakeable);
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
