using System.Globalization;

namespace CrossNodeDelivery;

/// <summary>The run's bounds, from the command line (<c>--events 20000 --reps 3 --window 200 ...</c>).</summary>
internal sealed record Settings(
    int Events,
    int Repetitions,
    int Window,
    TimeSpan Warmup,
    int SizingEvents,
    TimeSpan Deadline,
    TimeSpan StallTimeout,
    string? OutputPath)
{
    public static Settings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value pairs, got '{args[i]}'");
            }

            values[args[i][2..]] = args[++i];
        }

        int Int(string name, int fallback, int min, int max)
        {
            var value = values.Remove(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
            return value < min || value > max ? throw new ArgumentOutOfRangeException(name, value, $"between {min} and {max}") : value;
        }

        var settings = new Settings(
            Events: Int("events", 20_000, 100, 200_000),
            Repetitions: Int("reps", 3, 1, 9),
            Window: Int("window", 200, 1, 1_000),
            Warmup: TimeSpan.FromSeconds(Int("warmup-seconds", 12, 0, 120)),
            SizingEvents: Int("sizing", 200, 2, 10_000),
            Deadline: TimeSpan.FromSeconds(Int("deadline-seconds", 240, 10, 900)),
            StallTimeout: TimeSpan.FromSeconds(Int("stall-seconds", 10, 1, 60)),
            OutputPath: values.Remove("out", out var output) ? output : null);
        return values.Count == 0 ? settings : throw new ArgumentException($"unknown options: {string.Join(", ", values.Keys)}");
    }
}
