using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace CrossNodeDelivery;

/// <summary>
/// This benchmark's own <c>redis-server</c>: a free loopback port, no persistence, a temporary directory;
/// killed when disposed (and when the process exits).
/// </summary>
internal sealed class RedisProcess : IDisposable
{
    private const string Executable = "/usr/bin/redis-server";

    private readonly Process process;
    private readonly string directory;

    private RedisProcess(Process process, string directory, int port)
    {
        this.process = process;
        this.directory = directory;
        Port = port;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Dispose();
    }

    public int Port { get; }

    public int Pid => process.Id;

    public string ConnectionString => $"127.0.0.1:{Port},connectTimeout=3000,syncTimeout=3000,asyncTimeout=3000,abortConnect=false";

    public static async Task<RedisProcess> StartAsync(CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("crossnode-redis-").FullName;
        var port = FreePort();
        var start = new ProcessStartInfo(Executable) { UseShellExecute = false, WorkingDirectory = directory };
        foreach (var argument in new[]
        {
            "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty,
            "--appendonly", "no", "--dir", directory, "--logfile", Path.Combine(directory, "redis.log"),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var redis = new RedisProcess(Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start"), directory, port);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                using var probe = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{port},connectTimeout=500,abortConnect=true");
                await probe.GetDatabase().PingAsync();
                return redis;
            }
            catch (RedisConnectionException) when (DateTime.UtcNow < until && !redis.process.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the system's temporary-file cleanup.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
