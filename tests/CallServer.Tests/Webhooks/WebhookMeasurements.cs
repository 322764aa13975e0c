using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CallServer.Tests.Webhooks;

/// <summary>
/// Listens to <c>callserver.webhooks.deliveries</c> in this process (a MeterListener on the server's
/// "CallServer" meter: only the webhook fixture's server delivers webhooks) and counts by outcome and type.
/// </summary>
public sealed class WebhookMeasurements : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<(string Outcome, string Type), long> deliveries = new();

    public WebhookMeasurements()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "CallServer" && instrument.Name == "callserver.webhooks.deliveries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? outcome = null, type = null;
            foreach (var tag in tags)
            {
                outcome = tag.Key == "outcome" ? tag.Value as string : outcome;
                type = tag.Key == "type" ? tag.Value as string : type;
            }

            deliveries.AddOrUpdate((outcome ?? "?", type ?? "?"), value, (_, sum) => sum + value);
        });
        listener.Start();
    }

    /// <summary>Attempts counted so far with <paramref name="outcome"/> for events of <paramref name="type"/>.</summary>
    public long Deliveries(string outcome, string type) => deliveries.GetValueOrDefault((outcome, type));

    public void Dispose() => listener.Dispose();
}
