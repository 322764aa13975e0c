using System.Collections.Concurrent;
using CallServer.Domain.Calls;

namespace CallServer.Adapters.Calls;

/// <summary>
/// The latest version of each call in progress that this node saved or read: where its next command
/// starts, without a read, when no other node changed the call since (a stale one fails its
/// compare-and-set, which hands back the stored version). Ended calls are forgotten; the whole map is
/// emptied if it ever grows past a bound, so it can never hold a node's memory.
/// </summary>
public sealed class LastSeenCalls
{
    private const int MaxCalls = 100_000;

    private readonly ConcurrentDictionary<string, Call> calls = new(StringComparer.Ordinal);

    public Call? TryGet(string callId) => calls.TryGetValue(callId, out var call) ? call : null;

    /// <summary>Every call in progress this node remembers.</summary>
    public IReadOnlyList<Call> All() => [.. calls.Values];

    /// <summary>Remembers what was just read or saved of <paramref name="callId"/> (null: it is gone) and returns it.</summary>
    public Call? Saw(string callId, Call? call)
    {
        if (call is null || call.Phase == CallPhase.Ended)
        {
            calls.TryRemove(callId, out _);
            return call;
        }

        if (calls.Count >= MaxCalls)
        {
            calls.Clear();
        }

        // The latest word wins, even an older version read concurrently with a save: at worst the next
        // command's compare-and-set fails and hands back the stored version (which also heals a Redis that
        // went back to an older copy of its data).
        calls[callId] = call;
        return call;
    }
}
