using System.Diagnostics;
using System.Globalization;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>
/// A real Redis Cluster of three primaries (no replicas) on free loopback ports, without persistence, joined by
/// <c>redis-cli --cluster create</c>; shared by the classes of <see cref="RedisClusterCollection"/> and killed on
/// dispose. The contract suites run on it as on one server: every step the adapters take must touch one slot.
/// </summary>
public sealed class RedisClusterServer : IAsyncLifetime, IRedisDeployment
{
    private const string Cli = "/usr/bin/redis-cli";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly List<Process> processes = [];
    private readonly List<int> ports = [];
    private readonly string directory = Directory.CreateTempSubdirectory("callserver-redis-cluster-").FullName;

    public string ConnectionString =>
        string.Join(',', ports.Select(port => $"127.0.0.1:{port}")) + ",connectTimeout=2000,syncTimeout=2000,abortConnect=false";

    public async Task InitializeAsync()
    {
        for (var i = 0; i < 3; i++)
        {
            var port = RedisServer.FreePort();
            var dir = Directory.CreateDirectory(Path.Combine(directory, port.ToString(CultureInfo.InvariantCulture))).FullName;
            var start = new ProcessStartInfo(RedisServer.Executable) { UseShellExecute = false };
            foreach (var argument in new[]
            {
                "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no",
                "--dir", dir, "--logfile", Path.Combine(dir, "redis.log"), "--cluster-enabled", "yes",
                "--cluster-config-file", Path.Combine(dir, "nodes.conf"),
            })
            {
                start.ArgumentList.Add(argument);
            }

            processes.Add(Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server"));
            ports.Add(port);
        }

        foreach (var port in ports)
        {
            await UntilAsync(() => CliAsync(port, "PING"), reply => reply == "PONG", $"redis-server on {port} answers PING");
        }

        await CliAsync(null, ["--cluster", "create", .. ports.Select(port => $"127.0.0.1:{port}"), "--cluster-replicas", "0", "--cluster-yes"]);
        foreach (var port in ports)
        {
            await UntilAsync(() => CliAsync(port, "CLUSTER", "INFO"), reply => reply.Contains("cluster_state:ok", StringComparison.Ordinal), $"node {port} sees the cluster ok");
        }
    }

    public Task DisposeAsync()
    {
        foreach (var process in processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit();
            process.Dispose();
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Leave the temporary directory behind rather than fail the run.
        }

        return Task.CompletedTask;
    }

    private static async Task UntilAsync(Func<Task<string>> read, Func<string, bool> done, string what)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (done(await read()))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{what}: not within {StartTimeout}");
            }

            await Task.Delay(50);
        }
    }

    private static Task<string> CliAsync(int port, params string[] arguments) =>
        CliAsync((int?)port, arguments);

    /// <summary>Runs redis-cli (against <paramref name="port"/> when given), bounded to 30 s; its output, or "" when it failed.</summary>
    private static async Task<string> CliAsync(int? port, string[] arguments)
    {
        var start = new ProcessStartInfo(Cli) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (port is { } p)
        {
            foreach (var argument in new[] { "-h", "127.0.0.1", "-p", p.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-cli");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0 ? output.Trim() : string.Empty;
    }
}

/// <summary>The classes that share one <see cref="RedisClusterServer"/> (run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterServer>
{
    public const string Name = "redis-cluster";
}
