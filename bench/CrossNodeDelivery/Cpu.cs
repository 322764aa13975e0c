using System.Diagnostics;
using System.Globalization;

namespace CrossNodeDelivery;

/// <summary>User + system CPU time of a process, from <c>/proc/&lt;pid&gt;/stat</c> (fields 14 and 15, in clock ticks).</summary>
internal static class Cpu
{
    private static readonly double TicksPerSecond = ClockTicks();

    public static TimeSpan OfSelf() => Of(Environment.ProcessId);

    public static TimeSpan Of(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");

        // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }

    private static double ClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            var text = getconf!.StandardOutput.ReadToEnd().Trim();
            getconf.WaitForExit(5_000);
            return double.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or FormatException)
        {
            return 100;
        }
    }
}
