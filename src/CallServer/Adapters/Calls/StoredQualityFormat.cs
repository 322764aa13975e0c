using CallServer.Domain.Calls;

namespace CallServer.Adapters.Calls;

/// <summary>The mapping between a party's <see cref="CallQuality"/> and its stored form.</summary>
public static class StoredQualityFormat
{
    public static StoredQuality? ToStored(CallQuality? quality) => quality is null ? null : new StoredQuality
    {
        Rtt = ToStored(quality.Rtt),
        Jitter = ToStored(quality.Jitter),
        PacketLoss = ToStored(quality.PacketLoss),
        Mos = ToStored(quality.Mos),
        AudioBitrate = quality.AudioBitrate is { } audio ? ToStored(audio) : null,
        VideoBitrate = quality.VideoBitrate is { } video ? ToStored(video) : null,
        Worst = new StoredQualityWindow
        {
            From = quality.Worst.From,
            To = quality.Worst.To,
            Samples = quality.Worst.Samples,
            Mos = quality.Worst.Mos,
            RttMs = quality.Worst.RttMs,
            JitterMs = quality.Worst.JitterMs,
            PacketLossPercent = quality.Worst.PacketLossPercent,
        },
        Recent = [.. quality.Recent.Select(s => new StoredQualitySample
        {
            At = s.At,
            RttMs = s.Sample.RttMs,
            JitterMs = s.Sample.JitterMs,
            PacketLossPercent = s.Sample.PacketLossPercent,
            Mos = s.Sample.Mos,
            AudioBitrateKbps = s.Sample.AudioBitrateKbps,
            VideoBitrateKbps = s.Sample.VideoBitrateKbps,
        })],
    };

    public static CallQuality? ToDomain(StoredQuality? stored) => stored is null ? null : new CallQuality
    {
        Rtt = ToDomain(stored.Rtt),
        Jitter = ToDomain(stored.Jitter),
        PacketLoss = ToDomain(stored.PacketLoss),
        Mos = ToDomain(stored.Mos),
        AudioBitrate = stored.AudioBitrate is { } audio ? ToDomain(audio) : null,
        VideoBitrate = stored.VideoBitrate is { } video ? ToDomain(video) : null,
        Worst = new QualityWindow(stored.Worst.From, stored.Worst.To, stored.Worst.Samples, stored.Worst.Mos, stored.Worst.RttMs, stored.Worst.JitterMs, stored.Worst.PacketLossPercent),
        Recent = [.. (stored.Recent ?? []).Select(s => new TimedQualitySample(s.At, new QualitySample(s.RttMs, s.JitterMs, s.PacketLossPercent, s.Mos, s.AudioBitrateKbps, s.VideoBitrateKbps)))],
    };

    private static StoredMetric ToStored(QualityMetric metric) => new() { Min = metric.Min, Max = metric.Max, Sum = metric.Sum, Count = metric.Count };

    private static QualityMetric ToDomain(StoredMetric metric) => new(metric.Min, metric.Max, metric.Sum, metric.Count);
}
