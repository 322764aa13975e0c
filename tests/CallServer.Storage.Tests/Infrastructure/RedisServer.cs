using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> on a free loopback port, without persistence, in a temporary directory.
/// Started when the fixture initialises, killed on dispose; <see cref="Stop"/>, <see cref="StartAsync"/>
/// and <see cref="RestartAsync"/> simulate an outage on the same port.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IRedisDeployment
{
    public const string Executable = "/usr/bin/redis-server";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string directory;
    private Process? process;

    public RedisServer()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException(
                $"The storage tests need a real Redis: {Executable} was not found. Install it (apt-get install redis-server).");
        }

        directory = Directory.CreateTempSubdirectory("callserver-redis-").FullName;
        Port = FreePort();
    }

    public int Port { get; private set; }

    /// <summary>The port of a primary on loopback this server replicates (set before it starts); null: a primary itself.</summary>
    public int? ReplicaOf { get; init; }

    /// <summary>A StackExchange.Redis connection string that fails fast while the server is away.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},connectTimeout=1000,syncTimeout=1000,abortConnect=false";

    public bool IsRunning => process is { HasExited: false };

    public async Task InitializeAsync()
    {
        // The port was free a moment ago; if someone took it meanwhile, try another one.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                Port = FreePort();
            }
        }
    }

    /// <summary>Starts the server on <see cref="Port"/> and waits until it answers PING.</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("redis-server is running already");
        }

        var log = Path.Combine(directory, "redis.log");
        var start = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = false,
            RedirectStandardOutput = false,
            RedirectStandardError = false,
        };
        foreach (var argument in new[]
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", string.Empty,
            "--appendonly", "no",
            "--dir", directory,
            "--logfile", log,
            "--daemonize", "no",
        })
        {
            start.ArgumentList.Add(argument);
        }

        if (ReplicaOf is { } primaryPort)
        {
            foreach (var argument in new[] { "--replicaof", "127.0.0.1", primaryPort.ToString(CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"redis-server exited with {process.ExitCode} on port {Port}: {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "no log")}");
            }

            try
            {
                if (await ExecuteAsync(TimeSpan.FromSeconds(1), "PING") is "PONG")
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is SocketException or IOException or OperationCanceledException)
            {
                // Not listening yet.
            }

            if (DateTime.UtcNow > deadline)
            {
                Stop();
                throw new InvalidOperationException($"redis-server on port {Port} did not answer PING within {StartTimeout}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server (an outage, not a clean shutdown).</summary>
    public void Stop()
    {
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
        process.Dispose();
        process = null;
    }

    /// <summary>Stalls the server (SIGSTOP): its connections stay open and nothing is answered.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>Lets a stalled server go on (SIGCONT).</summary>
    public void Resume() => Signal("CONT");

    /// <summary>Stops and starts the server on the same port (its data is gone: no persistence).</summary>
    public async Task RestartAsync()
    {
        Stop();
        await StartAsync();
    }

    public Task DisposeAsync()
    {
        if (IsRunning)
        {
            Resume();
        }

        Stop();
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

    /// <summary>Sends one command over a fresh RESP connection and returns the reply (string, long, null or list).</summary>
    private void Signal(string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, process!.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {process.Id} failed with {kill.ExitCode}");
        }
    }

    public Task<object?> ExecuteAsync(params string[] arguments) => ExecuteAsync(TimeSpan.FromSeconds(5), arguments);

    private async Task<object?> ExecuteAsync(TimeSpan limit, params string[] arguments)
    {
        using var client = new TcpClient(AddressFamily.InterNetwork);
        using var timeout = new CancellationTokenSource(limit);
        await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
        var stream = client.GetStream();
        var request = new StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), timeout.Token);
        var reader = new RespReader(stream, timeout.Token);
        return await reader.ReadAsync();
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    private sealed class RespReader(NetworkStream stream, CancellationToken cancellationToken)
    {
        private readonly byte[] one = new byte[1];

        public async Task<object?> ReadAsync()
        {
            var line = await ReadLineAsync();
            var payload = line[1..];
            switch (line[0])
            {
                case '+':
                    return payload;
                case '-':
                    throw new InvalidOperationException("Redis error: " + payload);
                case ':':
                    return long.Parse(payload, CultureInfo.InvariantCulture);
                case '$':
                    var length = int.Parse(payload, CultureInfo.InvariantCulture);
                    if (length < 0)
                    {
                        return null;
                    }

                    var bytes = new byte[length + 2];
                    await stream.ReadExactlyAsync(bytes, cancellationToken);
                    return Encoding.UTF8.GetString(bytes, 0, length);
                case '*':
                    var count = int.Parse(payload, CultureInfo.InvariantCulture);
                    if (count < 0)
                    {
                        return null;
                    }

                    var items = new List<object?>(count);
                    for (var i = 0; i < count; i++)
                    {
                        items.Add(await ReadAsync());
                    }

                    return items;
                default:
                    throw new InvalidOperationException("Unexpected RESP reply: " + line);
            }
        }

        private async Task<string> ReadLineAsync()
        {
            var line = new StringBuilder();
            while (true)
            {
                if (await stream.ReadAsync(one, cancellationToken) == 0)
                {
                    throw new IOException("Redis closed the connection");
                }

                if (one[0] == '\n' && line.Length > 0 && line[^1] == '\r')
                {
                    return line.ToString(0, line.Length - 1);
                }

                line.Append((char)one[0]);
            }
        }
    }
}
