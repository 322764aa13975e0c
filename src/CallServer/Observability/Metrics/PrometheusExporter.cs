using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace CallServer.Observability.Metrics;

/// <summary>
/// A small Prometheus text-format exporter (OpenTelemetry and prometheus-net are not served here): listens to
/// the CallServer meter, keeps sums per series and bucket counts per histogram, renders them on scrape.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), double> sums = new();
    private readonly ConcurrentDictionary<(Instrument Instrument, string Labels), HistogramSeries> histograms = new();

    public PrometheusExporter()
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == CallServerMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        listener.Start();
    }

    public string Render()
    {
        listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var group in sums.GroupBy(s => s.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var isCounter = group.Key.GetType().Name.StartsWith("Counter", StringComparison.Ordinal);
            var name = NameOf(group.Key) + (isCounter ? "_total" : string.Empty);
            Header(text, name, group.Key, isCounter ? "counter" : "gauge");
            foreach (var ((_, labels), value) in group.OrderBy(s => s.Key.Labels, StringComparer.Ordinal))
            {
                text.Append(name).Append(Braces(labels)).Append(' ').Append(Number(value)).Append('\n');
            }
        }

        foreach (var group in histograms.GroupBy(h => h.Key.Instrument).OrderBy(g => g.Key.Name, StringComparer.Ordinal))
        {
            var name = NameOf(group.Key);
            Header(text, name, group.Key, "histogram");
            foreach (var ((_, labels), series) in group.OrderBy(h => h.Key.Labels, StringComparer.Ordinal))
            {
                series.Render(text, name, labels);
            }
        }

        return text.ToString();
    }

    public void Dispose() => listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        if (instrument is ObservableGauge<int> or ObservableGauge<long>)
        {
            sums[(instrument, labels)] = value;
        }
        else if (instrument is Histogram<double>)
        {
            histograms.GetOrAdd((instrument, labels), _ => new HistogramSeries(CallServerMetrics.Buckets)).Record(value);
        }
        else
        {
            sums.AddOrUpdate((instrument, labels), value, (_, sum) => sum + value);
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var pairs = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var value = (tag.Value?.ToString() ?? string.Empty).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
            pairs.Add($"{tag.Key}=\"{value}\"");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join(',', pairs);
    }

    private static void Header(StringBuilder text, string name, Instrument instrument, string type)
    {
        if (instrument.Description is { } description)
        {
            text.Append("# HELP ").Append(name).Append(' ').Append(description).Append('\n');
        }

        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
    }

    private static string NameOf(Instrument instrument) =>
        instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : string.Empty);

    internal static string Braces(string labels) => labels.Length == 0 ? string.Empty : "{" + labels + "}";

    internal static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class HistogramSeries(IReadOnlyList<double> bounds)
    {
        private readonly long[] counts = new long[bounds.Count + 1];
        private readonly Lock gate = new();
        private double sum;
        private long count;

        public void Record(double value)
        {
            lock (gate)
            {
                var bucket = 0;
                while (bucket < bounds.Count && value > bounds[bucket])
                {
                    bucket++;
                }

                counts[bucket]++;
                sum += value;
                count++;
            }
        }

        public void Render(StringBuilder text, string name, string labels)
        {
            lock (gate)
            {
                var prefix = labels.Length == 0 ? string.Empty : labels + ",";
                long cumulative = 0;
                for (var i = 0; i < bounds.Count; i++)
                {
                    cumulative += counts[i];
                    text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"").Append(Number(bounds[i])).Append("\"} ").Append(cumulative).Append('\n');
                }

                text.Append(name).Append("_bucket{").Append(prefix).Append("le=\"+Inf\"} ").Append(count).Append('\n');
                text.Append(name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(sum)).Append('\n');
                text.Append(name).Append("_count").Append(Braces(labels)).Append(' ').Append(count).Append('\n');
            }
        }
    }
}
