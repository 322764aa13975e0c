using System.Diagnostics;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;

namespace CallServer.Observability.Metrics;

/// <summary>Times every call store operation into <c>callserver_store_duration_seconds</c>.</summary>
public sealed class MeasuredCallStore(ICallStore inner, CallServerMetrics metrics) : ICallStore
{
    public string NewCallId(Address caller) => inner.NewCallId(caller);

    public Task<Call?> GetAsync(string callId, CancellationToken cancellationToken = default) =>
        Measure("get", () => inner.GetAsync(callId, cancellationToken));

    public Task<Call?> GetLastSeenAsync(string callId, CancellationToken cancellationToken = default) =>
        Measure("get_last_seen", () => inner.GetLastSeenAsync(callId, cancellationToken));

    public Task<bool> TrySaveAsync(CallChange change, CancellationToken cancellationToken = default) =>
        Measure(change.IsCreate ? "create" : "save", () => inner.TrySaveAsync(change, cancellationToken));

    public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, CancellationToken cancellationToken = default) =>
        Measure("active_calls_of", () => inner.GetActiveCallsOfAsync(account, cancellationToken));

    public Task<IReadOnlyList<Call>> GetActiveCallsOfAsync(Address account, string except, CancellationToken cancellationToken = default) =>
        Measure("active_calls_of", () => inner.GetActiveCallsOfAsync(account, except, cancellationToken));

    public Task<int> CountCallsInProgressAsync(Address caller, CancellationToken cancellationToken = default) =>
        Measure("calls_in_progress", () => inner.CountCallsInProgressAsync(caller, cancellationToken));

    public Task PingAsync(CancellationToken cancellationToken = default) =>
        Measure("ping", async () =>
        {
            await inner.PingAsync(cancellationToken);
            return true;
        });

    private async Task<T> Measure<T>(string operation, Func<Task<T>> action)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await action();
        }
        finally
        {
            metrics.StoreOperation(operation, Stopwatch.GetElapsedTime(started));
        }
    }
}
