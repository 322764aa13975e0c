using System.Globalization;
using StackExchange.Redis;

namespace CrossNodeDelivery;

/// <summary>What Redis did: command counts (<c>INFO commandstats</c>), network bytes (<c>INFO stats</c>) and CPU.</summary>
internal sealed record RedisSnapshot(IReadOnlyDictionary<string, long> Calls, long NetInputBytes, long NetOutputBytes, TimeSpan ProcCpu, double RusageCpuSeconds);

/// <summary>Reads <see cref="RedisSnapshot"/>s through a connection of its own (its INFO calls are left out of the counts).</summary>
internal sealed class RedisProbe(ConnectionMultiplexer connection, int pid)
{
    public async Task<RedisSnapshot> SnapshotAsync()
    {
        var cpu = Cpu.Of(pid);
        var text = (string?)await connection.GetDatabase().ExecuteAsync("INFO", "commandstats", "stats", "cpu") ?? string.Empty;
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        long netIn = 0, netOut = 0;
        double user = 0, sys = 0;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var (name, value) = (line[..colon], line[(colon + 1)..]);
            if (name.StartsWith("cmdstat_", StringComparison.Ordinal))
            {
                // cmdstat_publish:calls=3,usec=12,usec_per_call=4.00,rejected_calls=0,failed_calls=0
                var first = value.Split(',')[0];
                calls[name["cmdstat_".Length..]] = long.Parse(first["calls=".Length..], CultureInfo.InvariantCulture);
            }
            else if (name == "total_net_input_bytes")
            {
                netIn = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name == "total_net_output_bytes")
            {
                netOut = long.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name == "used_cpu_user")
            {
                user = double.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (name == "used_cpu_sys")
            {
                sys = double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return new RedisSnapshot(calls, netIn, netOut, cpu, user + sys);
    }

    /// <summary>Commands run between two snapshots, by name, without the probe's own INFO.</summary>
    public static Dictionary<string, long> CommandsBetween(RedisSnapshot before, RedisSnapshot after)
    {
        var delta = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, count) in after.Calls)
        {
            var difference = count - before.Calls.GetValueOrDefault(name);
            if (difference > 0 && name != "info")
            {
                delta[name] = difference;
            }
        }

        return delta;
    }
}
