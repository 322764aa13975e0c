using CallServer.Domain.Errors;

namespace CallServer.Domain.Calls;

/// <summary>
/// One party's measure of its media, as its SDK sampled it (<c>ReportQuality</c>, rule 27): round-trip time,
/// jitter, packet loss, an E-model MOS estimate and the bitrates it sends.
/// </summary>
public sealed record QualitySample(double RttMs, double JitterMs, double PacketLossPercent, double Mos, double? AudioBitrateKbps = null, double? VideoBitrateKbps = null)
{
    public const double MaxMilliseconds = 60_000;
    public const double MaxKbps = 100_000;

    /// <summary>Why the sample is not plausible (<c>InvalidArgument</c>), or null.</summary>
    public DomainError? Check() =>
        OutOf(RttMs, 0, MaxMilliseconds, "rttMs")
        ?? OutOf(JitterMs, 0, MaxMilliseconds, "jitterMs")
        ?? OutOf(PacketLossPercent, 0, 100, "packetLossPercent")
        ?? OutOf(Mos, 1, 5, "mos")
        ?? (AudioBitrateKbps is { } audio ? OutOf(audio, 0, MaxKbps, "audioBitrateKbps") : null)
        ?? (VideoBitrateKbps is { } video ? OutOf(video, 0, MaxKbps, "videoBitrateKbps") : null);

    private static DomainError? OutOf(double value, double min, double max, string name) =>
        double.IsFinite(value) && value >= min && value <= max
            ? null
            : DomainError.Of(ErrorCode.InvalidArgument, $"{name} is a number from {min} to {max}");
}
