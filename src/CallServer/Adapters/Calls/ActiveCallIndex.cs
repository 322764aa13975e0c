using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;

namespace CallServer.Adapters.Calls;

/// <summary>
/// Per account, the ids of its calls that have not ended, and of those it placed; readers get copies.
/// </summary>
public sealed class ActiveCallIndex
{
    private readonly Dictionary<Address, HashSet<string>> activeByAccount = [];
    private readonly Dictionary<Address, HashSet<string>> placedByCaller = [];
    private readonly Lock reading = new();

    /// <summary>Puts <paramref name="call"/> in the index of each of its accounts, or takes it out once it ended.</summary>
    public void Update(Call call)
    {
        lock (reading)
        {
            var ended = call.Phase == CallPhase.Ended;
            foreach (var account in AccountsOf(call))
            {
                Set(activeByAccount, account, call.CallId, !ended);
            }

            Set(placedByCaller, call.Caller.Account, call.CallId, !ended);
        }
    }

    public IReadOnlyList<string> CallIdsOf(Address account)
    {
        lock (reading)
        {
            return activeByAccount.TryGetValue(account, out var ids) ? [.. ids] : [];
        }
    }

    public int CallsInProgressOf(Address caller)
    {
        lock (reading)
        {
            return placedByCaller.TryGetValue(caller, out var ids) ? ids.Count : 0;
        }
    }

    /// <summary>Every account a call is listed under: its caller, its callee and each rung device's account.</summary>
    public static IEnumerable<Address> AccountsOf(Call call) =>
        call.Devices.Select(d => d.Account).Append(call.Caller.Account).Append(call.Callee.Account).Distinct();

    private static void Set(Dictionary<Address, HashSet<string>> index, Address account, string callId, bool present)
    {
        if (present)
        {
            if (!index.TryGetValue(account, out var ids))
            {
                index[account] = ids = new HashSet<string>(StringComparer.Ordinal);
            }

            ids.Add(callId);
        }
        else if (index.TryGetValue(account, out var ids) && ids.Remove(callId) && ids.Count == 0)
        {
            index.Remove(account);
        }
    }
}
