using System.Collections.Immutable;

namespace CallServer.Domain.Calls;

/// <summary>The least, greatest and mean of one measure over a call.</summary>
public sealed record QualityMetric(double Min, double Max, double Sum, int Count)
{
    public double Average => Count == 0 ? 0 : Sum / Count;

    public static QualityMetric Of(double value) => new(value, value, value, 1);

    public QualityMetric Add(double value) => new(Math.Min(Min, value), Math.Max(Max, value), Sum + value, Count + 1);

    public static QualityMetric? Add(QualityMetric? metric, double? value) =>
        value is not { } v ? metric : metric is null ? Of(v) : metric.Add(v);
}

/// <summary>The samples of the worst <see cref="CallQuality.WindowLength"/> of a call: the lowest mean MOS, with the means of the other measures then.</summary>
public sealed record QualityWindow(DateTimeOffset From, DateTimeOffset To, int Samples, double Mos, double RttMs, double JitterMs, double PacketLossPercent);

/// <summary>A sample with the time the server took it, kept while it is inside the current window.</summary>
public sealed record TimedQualitySample(DateTimeOffset At, QualitySample Sample);

/// <summary>
/// One side's quality over a call (rule 27): per measure the min, mean and max, and the worst window. Bounded:
/// it keeps only the samples of the last <see cref="WindowLength"/> (one a second at most), whatever the call's length.
/// </summary>
public sealed record CallQuality
{
    public static readonly TimeSpan WindowLength = TimeSpan.FromSeconds(10);

    /// <summary>The shortest time between two samples of one side; a faster one is refused <c>RateLimited</c>.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);

    public required QualityMetric Rtt { get; init; }

    public required QualityMetric Jitter { get; init; }

    public required QualityMetric PacketLoss { get; init; }

    public required QualityMetric Mos { get; init; }

    public QualityMetric? AudioBitrate { get; init; }

    public QualityMetric? VideoBitrate { get; init; }

    public required QualityWindow Worst { get; init; }

    /// <summary>The samples of the last <see cref="WindowLength"/>, oldest first.</summary>
    public ImmutableList<TimedQualitySample> Recent { get; init; } = [];

    public int Samples => Mos.Count;

    public DateTimeOffset LastAt => Recent.Count == 0 ? Worst.To : Recent[^1].At;

    /// <summary>The quality after <paramref name="sample"/>, taken at <paramref name="at"/>, was added to <paramref name="quality"/> (null: the first).</summary>
    public static CallQuality Add(CallQuality? quality, QualitySample sample, DateTimeOffset at)
    {
        var recent = (quality?.Recent ?? []).Where(s => s.At > at - WindowLength).ToImmutableList().Add(new TimedQualitySample(at, sample));
        var window = WindowOf(recent);
        return new CallQuality
        {
            Rtt = quality?.Rtt.Add(sample.RttMs) ?? QualityMetric.Of(sample.RttMs),
            Jitter = quality?.Jitter.Add(sample.JitterMs) ?? QualityMetric.Of(sample.JitterMs),
            PacketLoss = quality?.PacketLoss.Add(sample.PacketLossPercent) ?? QualityMetric.Of(sample.PacketLossPercent),
            Mos = quality?.Mos.Add(sample.Mos) ?? QualityMetric.Of(sample.Mos),
            AudioBitrate = QualityMetric.Add(quality?.AudioBitrate, sample.AudioBitrateKbps),
            VideoBitrate = QualityMetric.Add(quality?.VideoBitrate, sample.VideoBitrateKbps),
            Worst = quality is null || window.Mos < quality.Worst.Mos ? window : quality.Worst,
            Recent = recent,
        };
    }

    /// <summary>Equal when every measure, the worst window and the recent samples are (the list compared by its items).</summary>
    public bool Equals(CallQuality? other) =>
        other is not null
        && Rtt == other.Rtt && Jitter == other.Jitter && PacketLoss == other.PacketLoss && Mos == other.Mos
        && AudioBitrate == other.AudioBitrate && VideoBitrate == other.VideoBitrate && Worst == other.Worst
        && Recent.SequenceEqual(other.Recent);

    public override int GetHashCode() => HashCode.Combine(Rtt, Jitter, PacketLoss, Mos, Worst, Recent.Count);

    private static QualityWindow WindowOf(ImmutableList<TimedQualitySample> samples) => new(
        samples[0].At,
        samples[^1].At,
        samples.Count,
        samples.Average(s => s.Sample.Mos),
        samples.Average(s => s.Sample.RttMs),
        samples.Average(s => s.Sample.JitterMs),
        samples.Average(s => s.Sample.PacketLossPercent));
}
