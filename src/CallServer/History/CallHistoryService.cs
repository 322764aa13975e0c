using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Ports;
using CallServer.Domain.Records;
using CallServer.Observability.Logging;
using CallServer.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.History;

/// <summary>
/// The users' call histories within their bounds (<see cref="HistoryOptions"/>, at the clock's now): an ended
/// call written to each registered account that took part, and a user reading, removing and clearing its own,
/// each change told to the user's devices.
/// </summary>
public sealed class CallHistoryService(
    ICallHistoryStore store,
    Application.RecentUsers users,
    CallHistoryNotifier notifier,
    IOptions<HistoryOptions> options,
    TimeProvider clock,
    ILogger<CallHistoryService> logger)
{
    /// <summary>
    /// Adds each party's entry of <paramref name="record"/> to its history (anonymous callers, numbers and
    /// accounts that are no registered user have none); the accounts whose history gained it. Idempotent.
    /// </summary>
    public async Task<IReadOnlyList<Address>> RecordAsync(CallRecord record, Address callerAccount, CancellationToken cancellationToken = default)
    {
        var bounds = options.Value.BoundsAt(clock.GetUtcNow());

        // The parties' entries are independent: written together (one round trip where the store can).
        var parties = CallHistoryEntries.Of(record, callerAccount).ToList();
        var registered = await Task.WhenAll(parties.Select(party => IsRegisteredAsync(record.CallId, party.Account, cancellationToken)));
        var additions = parties.Where((_, i) => registered[i]).Select(party => new CallHistoryAddition(party.Account, party.Entry)).ToList();
        if (additions.Count == 0)
        {
            return [];
        }

        var results = await store.AddAllAsync(additions, bounds, cancellationToken);
        var added = new List<Address>(additions.Count);
        for (var i = 0; i < additions.Count; i++)
        {
            if (results[i] == CallHistoryAdd.Added)
            {
                HistoryLog.Added(logger, record.CallId, additions[i].Account.Value);
                added.Add(additions[i].Account);
            }
            else
            {
                HistoryLog.NotKept(logger, record.CallId, additions[i].Account.Value, results[i].ToString());
            }
        }

        return added;
    }

    /// <summary>Whether <paramref name="account"/> is a registered user, which alone has a history.</summary>
    private async Task<bool> IsRegisteredAsync(string callId, Address account, CancellationToken cancellationToken)
    {
        // A recently seen user is taken from the short cache the call path uses (a deleted user's history is
        // deleted with it, so an entry that slips in meanwhile goes with the next delete of that name).
        if (account.Kind == AddressKind.User && await users.FindAsync(account, cancellationToken) is not null)
        {
            return true;
        }

        HistoryLog.NotKept(logger, callId, account.Value, "no registered user");
        return false;
    }

    /// <summary>Tells the devices of each account in <paramref name="accounts"/> that the call was added.</summary>
    public Task NotifyAddedAsync(string callId, IEnumerable<Address> accounts, CancellationToken cancellationToken = default) =>
        Task.WhenAll(accounts.Select(account => notifier.NotifyAsync(account, CallHistoryChanged.Added(callId), cancellationToken)));

    public Task<IReadOnlyList<CallHistoryEntry>> ListAsync(Address account, CallHistoryPage page, CancellationToken cancellationToken = default) =>
        store.ListAsync(account, page, options.Value.BoundsAt(clock.GetUtcNow()).NotBefore, cancellationToken);

    /// <summary>Removes one entry the user no longer wants; false when its history has none of that call.</summary>
    public async Task<bool> RemoveAsync(Address account, string callId, CancellationToken cancellationToken = default)
    {
        if (!await store.RemoveAsync(account, callId, options.Value.BoundsAt(clock.GetUtcNow()), cancellationToken))
        {
            return false;
        }

        HistoryLog.Removed(logger, callId, account.Value);
        await notifier.NotifyAsync(account, CallHistoryChanged.Removed(callId), CancellationToken.None);
        return true;
    }

    /// <summary>Removes every entry of the user (and keeps out calls that ended before now), and tells its devices if there were any.</summary>
    public async Task ClearAsync(Address account, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        if (await store.ClearAsync(account, now, options.Value.BoundsAt(now), cancellationToken))
        {
            HistoryLog.Cleared(logger, account.Value, "by its user");
            await notifier.NotifyAsync(account, CallHistoryChanged.Cleared(), CancellationToken.None);
        }
    }

    /// <summary>The user was deleted: its history goes with it (its connections are closed, so no one is told).</summary>
    public async Task DeleteUserAsync(Address account, CancellationToken cancellationToken = default)
    {
        if (await store.DeleteAsync(account, cancellationToken))
        {
            HistoryLog.Cleared(logger, account.Value, "the user was deleted");
        }
    }
}
