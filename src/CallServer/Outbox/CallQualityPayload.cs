using System.Text.Json;
using CallServer.Domain.Calls;

namespace CallServer.Outbox;

/// <summary>Added (issue 18): something per side of a call (<c>caller</c>, <c>callee</c>).</summary>
public sealed record PartiesPayload<T>
{
    public T? Caller { get; init; }

    public T? Callee { get; init; }
}

/// <summary>The least, mean and greatest of one measure.</summary>
public sealed record QualityMetricPayload
{
    public required double Min { get; init; }

    public required double Avg { get; init; }

    public required double Max { get; init; }

    public static QualityMetricPayload Of(QualityMetric metric) => new() { Min = Round(metric.Min), Avg = Round(metric.Average), Max = Round(metric.Max) };

    public QualityMetric ToMetric(int count, string field) =>
        double.IsFinite(Min) && double.IsFinite(Avg) && double.IsFinite(Max) && Min <= Avg + 0.01 && Avg <= Max + 0.01
            ? new QualityMetric(Min, Max, Avg * count, count)
            : throw new JsonException($"the call record's {field} is not min <= avg <= max");

    public static double Round(double value) => Math.Round(value, 2);
}

/// <summary>The worst window of a side's quality.</summary>
public sealed record QualityWindowPayload
{
    public required DateTime From { get; init; }

    public required DateTime To { get; init; }

    public required int Samples { get; init; }

    public required double Mos { get; init; }

    public required double RttMs { get; init; }

    public required double JitterMs { get; init; }

    public required double PacketLossPercent { get; init; }
}

/// <summary>
/// Added (issue 18): one side's quality reports in the call record: how many samples, per measure min/avg/max, and the
/// worst 10-second window (the lowest mean MOS).
/// </summary>
public sealed record CallQualityPayload
{
    public required int Samples { get; init; }

    public required QualityMetricPayload RttMs { get; init; }

    public required QualityMetricPayload JitterMs { get; init; }

    public required QualityMetricPayload PacketLossPercent { get; init; }

    public required QualityMetricPayload Mos { get; init; }

    public QualityMetricPayload? AudioBitrateKbps { get; init; }

    public QualityMetricPayload? VideoBitrateKbps { get; init; }

    public required QualityWindowPayload WorstWindow { get; init; }

    public static CallQualityPayload? Of(CallQuality? quality) => quality is null ? null : new()
    {
        Samples = quality.Samples,
        RttMs = QualityMetricPayload.Of(quality.Rtt),
        JitterMs = QualityMetricPayload.Of(quality.Jitter),
        PacketLossPercent = QualityMetricPayload.Of(quality.PacketLoss),
        Mos = QualityMetricPayload.Of(quality.Mos),
        AudioBitrateKbps = quality.AudioBitrate is { } audio ? QualityMetricPayload.Of(audio) : null,
        VideoBitrateKbps = quality.VideoBitrate is { } video ? QualityMetricPayload.Of(video) : null,
        WorstWindow = new QualityWindowPayload
        {
            From = quality.Worst.From.UtcDateTime,
            To = quality.Worst.To.UtcDateTime,
            Samples = quality.Worst.Samples,
            Mos = QualityMetricPayload.Round(quality.Worst.Mos),
            RttMs = QualityMetricPayload.Round(quality.Worst.RttMs),
            JitterMs = QualityMetricPayload.Round(quality.Worst.JitterMs),
            PacketLossPercent = QualityMetricPayload.Round(quality.Worst.PacketLossPercent),
        },
    };

    /// <summary>The domain's summary (without the samples of the last window, which the record does not carry).</summary>
    public CallQuality ToQuality(string field)
    {
        if (Samples <= 0 || RttMs is null || JitterMs is null || PacketLossPercent is null || Mos is null || WorstWindow is null)
        {
            throw new JsonException($"the call record's {field} is incomplete");
        }

        return new CallQuality
        {
            Rtt = RttMs.ToMetric(Samples, field + ".rttMs"),
            Jitter = JitterMs.ToMetric(Samples, field + ".jitterMs"),
            PacketLoss = PacketLossPercent.ToMetric(Samples, field + ".packetLossPercent"),
            Mos = Mos.ToMetric(Samples, field + ".mos"),
            AudioBitrate = AudioBitrateKbps?.ToMetric(Samples, field + ".audioBitrateKbps"),
            VideoBitrate = VideoBitrateKbps?.ToMetric(Samples, field + ".videoBitrateKbps"),
            Worst = new QualityWindow(OutboxJson.Instant(WorstWindow.From), OutboxJson.Instant(WorstWindow.To), WorstWindow.Samples, WorstWindow.Mos, WorstWindow.RttMs, WorstWindow.JitterMs, WorstWindow.PacketLossPercent),
        };
    }
}
