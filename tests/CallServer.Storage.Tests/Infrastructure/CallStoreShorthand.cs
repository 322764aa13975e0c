using CallServer.Domain.Calls;
using CallServer.Domain.Ports;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>The tests' shorthand for the store's one save operation: a create or an update as a <see cref="CallChange"/>.</summary>
public static class CallStoreShorthand
{
    public static Task<bool> TryCreateAsync(this ICallStore store, Call call, int maxCallsInProgress = int.MaxValue, IReadOnlyList<TimerRequest>? timers = null, IReadOnlyList<OutboxMessage>? outbox = null) =>
        store.TrySaveAsync(CallChange.Create(call, maxCallsInProgress, timers, outbox));

    public static Task<bool> TrySaveAsync(this ICallStore store, Call call, long expectedVersion, IReadOnlyList<TimerRequest>? timers = null, IReadOnlyList<OutboxMessage>? outbox = null) =>
        store.TrySaveAsync(CallChange.Update(call, expectedVersion, timers, outbox));
}
