using System.Diagnostics.Metrics;
using CallServer.Cluster;
using CallServer.Domain.Calls;

namespace CallServer.Observability.Metrics;

/// <summary>The server's instruments (System.Diagnostics.Metrics), exported at <c>/metrics</c>.</summary>
public sealed class CallServerMetrics : IDisposable
{
    public const string MeterName = "CallServer";

    private readonly Meter meter = new(MeterName);
    private readonly UpDownCounter<long> callsByState;
    private readonly Counter<long> callSetups;
    private readonly Counter<long> callsEnded;
    private readonly Counter<long> operations;
    private readonly Histogram<double> setupLatency;
    private readonly Histogram<double> storeLatency;
    private readonly Counter<long> pushes;
    private readonly Histogram<double> wakeToConnect;
    private readonly Counter<long> webhookDeliveries;
    private readonly Counter<long> replicaWaits;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> endpointBacklogs = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, double> endpointOldest = new(StringComparer.Ordinal);
    private readonly Histogram<double> webhookDeliveryLatency;
    private readonly Histogram<double> qualityMos;
    private long webhookBacklog = -1;

    public CallServerMetrics(LocalConnections connections)
    {
        meter.CreateObservableGauge("callserver.connections", () => connections.Count, description: "Hub connections on this node.");
        callsByState = meter.CreateUpDownCounter<long>("callserver.calls.active", description: "Calls by phase changed by this node (sum the nodes for the cluster).");
        callSetups = meter.CreateCounter<long>("callserver.call.setups", description: "Calls established (offer sent to the callee's devices), by outcome of ringing.");
        callsEnded = meter.CreateCounter<long>("callserver.calls.ended", description: "Calls ended, by the caller's end reason.");
        operations = meter.CreateCounter<long>("callserver.operations", description: "Hub invocations by method and result (ok or the error code).");
        setupLatency = meter.CreateHistogram<double>("callserver.call.setup.duration", unit: "s", description: "From creating a call to its answer (the callee device accepted).");
        storeLatency = meter.CreateHistogram<double>("callserver.store.duration", unit: "s", description: "Call store operations, by operation.");
        pushes = meter.CreateCounter<long>("callserver.push.sent", description: "Pushes sent to push services, by platform, kind and outcome (delivered, gone, retry, failed, expired, not_configured).");
        wakeToConnect = meter.CreateHistogram<double>("callserver.push.wake_to_connect.duration", unit: "s", description: "From deciding a wake-up push to a device of the woken account connecting and ringing.");
        replicaWaits = meter.CreateCounter<long>("callserver.redis.replica_waits", description: "Waits for replicas after a call's end (Redis:ReplicasToAcknowledgeEnd), by outcome: acknowledged, timeout.");
        webhookDeliveries = meter.CreateCounter<long>("callserver.webhooks.deliveries", description: "Webhook attempts by outcome (delivered, retry, dropped) and event type, per endpoint.");
        webhookDeliveryLatency = meter.CreateHistogram<double>("callserver.webhooks.delivery.duration", unit: "s", description: "From a webhook event's timestamp to its delivery (2xx) to an endpoint.");
        qualityMos = meter.CreateHistogram<double>(
            "callserver.call.quality.mos",
            description: "The MOS estimate of each quality sample a party reported (ReportQuality), by the party's side.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 2.5, 3, 3.5, 4, 4.2, 4.4, 5] });
        meter.CreateObservableGauge("callserver.webhooks.backlog", ObserveWebhookBacklog, description: "Webhook entries not yet done, as last seen by the node delivering webhooks (only that node reports it): events not yet handed to the receivers' queues, and each receiver's events not yet delivered or dropped.");
        meter.CreateObservableGauge("callserver.webhooks.endpoint.backlog", ObserveEndpointBacklogs, description: "Per receiver (endpoint = its Id): its events not yet delivered or dropped, as last seen by the node delivering webhooks.");
        meter.CreateObservableGauge("callserver.webhooks.endpoint.oldest_age", ObserveEndpointOldest, unit: "s", description: "Per receiver (endpoint = its Id): the age of its oldest event in progress (0 when none), on the node delivering webhooks.");
    }

    public void PushSent(string platform, string kind, string outcome) =>
        pushes.Add(1, new KeyValuePair<string, object?>("platform", platform), new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>A wait for replicas after a call's end: <c>acknowledged</c> or <c>timeout</c>.</summary>
    public void ReplicaWait(string outcome) => replicaWaits.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>One webhook attempt's outcome at <paramref name="endpoint"/> (its Id): <c>delivered</c>, <c>retry</c> or <c>dropped</c>.</summary>
    public void WebhookDelivery(string outcome, string type, string endpoint) =>
        webhookDeliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("endpoint", endpoint));

    /// <summary>A webhook event reached an endpoint <paramref name="sinceEvent"/> after it happened.</summary>
    public void WebhookDelivered(TimeSpan sinceEvent) => webhookDeliveryLatency.Record(Math.Max(0, sinceEvent.TotalSeconds));

    /// <summary>The webhook events not yet handed to the receivers' queues, as this node saw them while it delivers webhooks; null when it stopped delivering.</summary>
    public void WebhookBacklog(long? entries) => Interlocked.Exchange(ref webhookBacklog, entries ?? -1);

    /// <summary>One receiver's events not yet delivered or dropped, as this node saw them while it delivers webhooks; null when it stopped.</summary>
    public void WebhookEndpointBacklog(string endpoint, long? entries)
    {
        if (entries is { } count)
        {
            endpointBacklogs[endpoint] = count;
        }
        else
        {
            endpointBacklogs.TryRemove(endpoint, out _);
        }
    }

    /// <summary>The age of one receiver's oldest event in progress (zero when none); null when this node stopped delivering.</summary>
    public void WebhookEndpointOldest(string endpoint, TimeSpan? age)
    {
        if (age is { } value)
        {
            endpointOldest[endpoint] = value.TotalSeconds;
        }
        else
        {
            endpointOldest.TryRemove(endpoint, out _);
        }
    }

    private IEnumerable<Measurement<long>> ObserveWebhookBacklog()
    {
        var handOn = Interlocked.Read(ref webhookBacklog);
        return handOn >= 0 ? [new Measurement<long>(handOn + endpointBacklogs.Values.Sum())] : [];
    }

    private IEnumerable<Measurement<long>> ObserveEndpointBacklogs() =>
        endpointBacklogs.Select(pair => new Measurement<long>(pair.Value, new KeyValuePair<string, object?>("endpoint", pair.Key)));

    private IEnumerable<Measurement<double>> ObserveEndpointOldest() =>
        endpointOldest.Select(pair => new Measurement<double>(pair.Value, new KeyValuePair<string, object?>("endpoint", pair.Key)));

    public void WokenDeviceConnected(TimeSpan sinceWake) => wakeToConnect.Record(sinceWake.TotalSeconds);

    public void Operation(string method, string result) =>
        operations.Add(1, new KeyValuePair<string, object?>("method", method), new KeyValuePair<string, object?>("result", result));

    /// <summary>A quality sample a party reported (rule 27).</summary>
    public void QualityReported(CallSide side, double mos) =>
        qualityMos.Record(mos, new KeyValuePair<string, object?>("side", side == CallSide.Caller ? "caller" : "callee"));

    public void StoreOperation(string operation, TimeSpan elapsed) =>
        storeLatency.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("operation", operation));

    /// <summary>Counts what a saved change did to the call.</summary>
    public void CallChanged(Call? before, Call after)
    {
        if (before?.Phase == after.Phase)
        {
            return;
        }

        if (before is not null)
        {
            callsByState.Add(-1, new KeyValuePair<string, object?>("phase", before.Phase.ToString()));
        }

        if (after.Phase != CallPhase.Ended)
        {
            callsByState.Add(1, new KeyValuePair<string, object?>("phase", after.Phase.ToString()));
        }

        if (before?.Phase == CallPhase.Initial && after.Phase != CallPhase.Initial)
        {
            callSetups.Add(1, new KeyValuePair<string, object?>("result", after.Phase == CallPhase.Ended ? after.Caller.End?.Reason.ToString() : "ringing"));
        }

        if (after.Phase == CallPhase.Connected && before?.Phase == CallPhase.Answering)
        {
            setupLatency.Record(((after.AnsweredAt ?? after.CreatedAt) - after.CreatedAt).TotalSeconds);
        }

        if (after.Phase == CallPhase.Ended)
        {
            callsEnded.Add(1, new KeyValuePair<string, object?>("reason", after.Caller.End?.Reason.ToString()));
        }
    }

    public void Dispose() => meter.Dispose();
}
