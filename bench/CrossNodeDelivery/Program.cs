using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using CallServer.Adapters.DeviceMessaging;
using CallServer.Adapters.Presence;
using CallServer.Adapters.Redis;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Hubs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace CrossNodeDelivery;

/// <summary>
/// Cost per cross-node event: the project's own node channels vs the SignalR Redis backplane, with a same-node
/// baseline, side by side in one run on a real redis-server. Progress on stderr, JSON results on stdout
/// (and in <c>--out</c>). Usage: <c>dotnet run -c Release --project bench/CrossNodeDelivery -- [--events 20000]
/// [--reps 3] [--window 200] [--warmup-seconds 12] [--sizing 200] [--deadline-seconds 240] [--out results/NAME.json]</c>
/// (a relative <c>--out</c> is under bench/CrossNodeDelivery: <c>dotnet run</c> starts the program there).
/// </summary>
internal static class BenchMain
{
    private const string Baseline = "baseline: same node, no Redis";
    private const string NodeChannels = "node channels (RedisDeviceMessenger + NodeChannelListener)";
    private const string Backplane = "SignalR Redis backplane (Clients.Client)";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static async Task<int> Main(string[] args)
    {
        Settings settings;
        try
        {
            settings = Settings.Parse(args);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            await Console.Error.WriteLineAsync($"usage error: {exception.Message}");
            return 2;
        }

        using var deadline = new CancellationTokenSource(settings.Deadline);
        Log($"settings: {settings}");
        try
        {
            using var redis = await RedisProcess.StartAsync(deadline.Token);
            Log($"redis-server pid {redis.Pid} on 127.0.0.1:{redis.Port}");
            var result = await RunAsync(settings, redis, deadline.Token);
            var text = JsonSerializer.Serialize(result, Json);
            if (settings.OutputPath is { } output)
            {
                // Relative to the working directory, which `dotnet run --project` sets to the project's directory.
                var path = Path.GetFullPath(output);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, text + "\n", CancellationToken.None);
                Log($"results written to {path}");
            }

            await Console.Out.WriteLineAsync(text);
            return 0;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Log($"stopped: the deadline of {settings.Deadline} passed");
            return 3;
        }
        catch (TimeoutException exception)
        {
            Log($"stopped: {exception.Message}");
            return 4;
        }
    }

    private static async Task<object> RunAsync(Settings settings, RedisProcess redis, CancellationToken cancellationToken)
    {
        var loadBefore = File.ReadAllText("/proc/loadavg").Trim();
        using var probeConnection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString + ",allowAdmin=true");
        var probe = new RedisProbe(probeConnection, redis.Pid);
        var redisVersion = probeConnection.GetServers()[0].Version.ToString();

        // (a) and (c): two plain nodes; the project's classes deliver, as CallServer wires them on Redis.
        var options = Options.Create(new RedisOptions { Configuration = redis.ConnectionString, KeyPrefix = "bench:" });
        var keys = new RedisKeys(options);
        await using var nodeA = await Node.StartAsync("A", backplane: null, cancellationToken);
        await using var nodeB = await Node.StartAsync("B", backplane: null, cancellationToken);
        using var redisA = new RedisConnection(options, NullLogger<RedisConnection>.Instance);
        using var redisB = new RedisConnection(options, NullLogger<RedisConnection>.Instance);
        redisA.WaitUntilConnected();
        redisB.WaitUntilConnected();
        var (idA, idB) = (new NodeIdentity(), new NodeIdentity());
        await using var deviceB = await Receiver.ConnectAsync(nodeB.HubUrl, cancellationToken);
        var localA = new LocalConnections();
        var localB = new LocalConnections();
        localB.Add(deviceB.ConnectionId, "bob@example.test", () => { });
        await redisB.Database.HashSetAsync(keys.DeviceNodes, deviceB.ConnectionId, idB.Id);
        var limits = Options.Create(new LimitsOptions());
        var localMessengerA = new LocalDeviceMessenger(new AsCallHubContext(nodeA.Hub), localA, limits, NullLogger<LocalDeviceMessenger>.Instance);
        var localMessengerB = new LocalDeviceMessenger(new AsCallHubContext(nodeB.Hub), localB, limits, NullLogger<LocalDeviceMessenger>.Instance);
        var messengerA = new RedisDeviceMessenger(localMessengerA, localA, redisA, keys, idA);
        var messengerB = new RedisDeviceMessenger(localMessengerB, localB, redisB, keys, idB);
        using var listenerB = new NodeChannelListener(localMessengerB, redisB, keys, idB, NullLogger<NodeChannelListener>.Instance);
        await listenerB.StartAsync(cancellationToken);
        await WaitForSubscriberAsync(probeConnection, (string)keys.NodeChannel(idB.Id)!, cancellationToken);
        Log($"node channels: A {nodeA.HubUrl}, B {nodeB.HubUrl}, device {deviceB.ConnectionId} on B ({idB.Id})");

        // (b): two nodes on the SignalR Redis backplane (same Redis).
        await using var backplaneA = await Node.StartAsync("A'", redis.ConnectionString, cancellationToken);
        await using var backplaneB = await Node.StartAsync("B'", redis.ConnectionString, cancellationToken);
        await using var deviceOnBackplaneB = await Receiver.ConnectAsync(backplaneB.HubUrl, cancellationToken);
        await WaitForSubscriberAsync(probeConnection, $"{Node.BackplanePrefix}*connection:{deviceOnBackplaneB.ConnectionId}", cancellationToken);
        Log($"backplane: A' {backplaneA.HubUrl}, B' {backplaneB.HubUrl}, device {deviceOnBackplaneB.ConnectionId} on B'");

        var modes = new Mode[]
        {
            new(Baseline, (method, arguments) => messengerB.SendAsync(deviceB.ConnectionId, method, arguments), deviceB),
            new(NodeChannels, (method, arguments) => messengerA.SendAsync(deviceB.ConnectionId, method, arguments), deviceB),
            new(Backplane, (method, arguments) => backplaneA.Hub.Clients.Client(deviceOnBackplaneB.ConnectionId).SendCoreAsync(method, arguments), deviceOnBackplaneB),
        };

        // What is published per event: a pattern subscriber sees every PUBLISH, outside the measured runs.
        var sizes = new Dictionary<string, object>();
        foreach (var mode in modes)
        {
            sizes[mode.Name] = await MeasurePayloadsAsync(redis, mode, settings, cancellationToken);
        }

        // Warm up until the JIT has settled (tiered compilation and dynamic PGO take several seconds of load on
        // this machine: the first rounds ran up to 4 times slower), in rounds of every mode.
        var warmup = Stopwatch.StartNew();
        var rounds = 0;
        while (warmup.Elapsed < settings.Warmup)
        {
            foreach (var mode in modes)
            {
                await SendSeriesAsync(mode, settings.Events, settings, cancellationToken);
            }

            rounds++;
        }

        Log($"warm-up: {rounds} rounds of {settings.Events} events per mode in {warmup.Elapsed.TotalSeconds:F1} s");

        var runs = new List<RunResult>();
        for (var repetition = 1; repetition <= settings.Repetitions; repetition++)
        {
            // Rotate the order, so that no mode always runs first or last.
            for (var k = 0; k < modes.Length; k++)
            {
                var mode = modes[(k + repetition - 1) % modes.Length];
                var result = await MeasureAsync(mode, repetition, probe, settings, cancellationToken);
                runs.Add(result);
                Log($"run {repetition} {mode.Name}: {result.EventsPerSecond:F0} events/s, CPU {result.CpuPerEventMicroseconds:F1} µs/event " +
                    $"(bench {result.BenchCpuPerEventMicroseconds:F1} + redis {result.RedisCpuPerEventMicroseconds:F1}), " +
                    $"p50 {result.LatencyP50Milliseconds:F2} ms, p99 {result.LatencyP99Milliseconds:F2} ms, " +
                    $"{result.RedisCommandsPerEvent:F3} commands/event, failed {result.Failed}, out of order {result.OutOfOrder}");
            }
        }

        var churn = await MeasureChurnAsync(probe, backplaneB, new RedisPresence(redisB, keys, idB), idB.Id, cancellationToken);
        await listenerB.StopAsync(CancellationToken.None);
        var breakdown = Breakdown.Measure(settings.Events, settings.Repetitions, cancellationToken);
        Log($"breakdown: {JsonSerializer.Serialize(breakdown)}");
        var summary = Summarise(modes, runs);
        foreach (var line in summary.Table)
        {
            Log(line);
        }

        return new
        {
            benchmark = "cross-node delivery: own node channels vs the SignalR Redis backplane",
            command = "dotnet run -c Release --project bench/CrossNodeDelivery -- " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            machine = new
            {
                processorCount = Environment.ProcessorCount,
                loadAverageBefore = loadBefore,
                loadAverageAfter = File.ReadAllText("/proc/loadavg").Trim(),
                runtime = RuntimeInformation.FrameworkDescription,
                os = RuntimeInformation.OSDescription,
                serverGc = GCSettings.IsServerGC,
                redisVersion,
            },
            settings = new
            {
                settings.Events,
                settings.Repetitions,
                settings.Window,
                warmupSeconds = settings.Warmup.TotalSeconds,
                warmupRounds = rounds,
                settings.SizingEvents,
                deadlineSeconds = settings.Deadline.TotalSeconds,
                events = "alternately IceCandidate(callId, {candidate, sdpMid, sdpMLineIndex}, sentAt) and CallStatusChanged(CallSnapshot, sentAt)",
                cpu = "bench process (both nodes, the sender and the clients: one process; user+system from /proc/self/stat) + redis-server (user+system from INFO cpu, its getrusage; /proc/<pid>/stat kept as RedisProcCpuPerEventMicroseconds); extraCpuOverBaseline subtracts the baseline's, which removes the client's and the local write's share",
            },
            medians = summary.Medians,
            publishedPayloads = sizes,
            connectionChurn = churn,
            serialisationBreakdown = breakdown,
            runs,
        };
    }

    private static async Task<RunResult> MeasureAsync(Mode mode, int repetition, RedisProbe probe, Settings settings, CancellationToken cancellationToken)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        await Task.Delay(200, cancellationToken);
        var gcBefore = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var redisBefore = await probe.SnapshotAsync();
        var selfBefore = Cpu.OfSelf();
        var clock = Stopwatch.StartNew();

        var run = await SendSeriesAsync(mode, settings.Events, settings, cancellationToken);

        clock.Stop();
        var selfAfter = Cpu.OfSelf();
        var redisAfter = await probe.SnapshotAsync();
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
        var commands = RedisProbe.CommandsBetween(redisBefore, redisAfter);
        var (p50, p99) = run.Percentiles();
        double n = settings.Events;
        var benchCpu = (selfAfter - selfBefore).TotalMilliseconds * 1000 / n;

        // Redis's own getrusage figures (INFO cpu, microseconds): /proc's 10 ms ticks are too coarse for its few
        // µs per event; the /proc figure is kept as a cross-check.
        var redisCpu = (redisAfter.RusageCpuSeconds - redisBefore.RusageCpuSeconds) * 1_000_000 / n;
        return new RunResult(
            mode.Name,
            repetition,
            settings.Events,
            run.ArrivedCount,
            run.Failed,
            run.OutOfOrder,
            clock.Elapsed.TotalSeconds,
            n / clock.Elapsed.TotalSeconds,
            benchCpu + redisCpu,
            benchCpu,
            redisCpu,
            (redisAfter.ProcCpu - redisBefore.ProcCpu).TotalMilliseconds * 1000 / n,
            p50,
            p99,
            allocated / n,
            (GC.CollectionCount(0) - gcBefore.Item1, GC.CollectionCount(1) - gcBefore.Item2, GC.CollectionCount(2) - gcBefore.Item3).ToString(),
            commands.Values.Sum() / n,
            commands.GetValueOrDefault("publish") / n,
            commands,
            (redisAfter.NetInputBytes - redisBefore.NetInputBytes) / n,
            (redisAfter.NetOutputBytes - redisBefore.NetOutputBytes) / n);
    }

    /// <summary>Sends <paramref name="count"/> events, at most the window in flight (sent, not yet at the client), and waits for all.</summary>
    private static async Task<Receiver.Run> SendSeriesAsync(Mode mode, int count, Settings settings, CancellationToken cancellationToken)
    {
        var run = mode.Device.Begin(count, settings.Window);
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (!await run.Window.WaitAsync(settings.StallTimeout, cancellationToken))
                {
                    throw new TimeoutException($"{mode.Name}: no event arrived for {settings.StallTimeout.TotalSeconds} s ({run.ArrivedCount} of {count})");
                }

                var (method, arguments) = Events.Make(i, Stopwatch.GetTimestamp());
                Task sent;
                try
                {
                    sent = mode.Send(method, arguments);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    NoteFailure(mode, exception);
                    run.Fail();
                    continue;
                }

                if (!sent.IsCompletedSuccessfully)
                {
                    _ = ObserveAsync(sent, mode, run);
                }
            }

            await run.Done.WaitAsync(settings.StallTimeout, cancellationToken);
            return run;
        }
        finally
        {
            mode.Device.End();
        }
    }

    private static async Task ObserveAsync(Task sent, Mode mode, Receiver.Run run)
    {
        try
        {
            await sent;
        }
        catch (Exception exception)
        {
            NoteFailure(mode, exception);
            run.Fail();
        }
    }

    private static void NoteFailure(Mode mode, Exception exception)
    {
        if (Interlocked.Increment(ref mode.FailuresNoted) <= 3)
        {
            Log($"{mode.Name}: send failed: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>
    /// Redis commands per connection lifetime (connect, then disconnect), outside delivery: the backplane's own
    /// per-connection subscription on B', and the project's presence registration (what CallHub does on connect and
    /// disconnect through RedisPresence), which a node needs with either delivery.
    /// </summary>
    private static async Task<object> MeasureChurnAsync(RedisProbe probe, Node backplaneB, RedisPresence presence, string nodeId, CancellationToken cancellationToken)
    {
        const int Connections = 50;
        var before = await probe.SnapshotAsync();
        for (var i = 0; i < Connections; i++)
        {
            await using var device = await Receiver.ConnectAsync(backplaneB.HubUrl, cancellationToken);
        }

        // The backplane unsubscribes after the connection has closed on the server.
        await Task.Delay(500, cancellationToken);
        var between = await probe.SnapshotAsync();
        for (var i = 0; i < Connections; i++)
        {
            var deviceId = $"churn-{i}";
            await presence.RegisterAsync("carol@example.test", deviceId);
            await presence.RemoveAsync("carol@example.test", deviceId, nodeId);
        }

        var after = await probe.SnapshotAsync();
        static Dictionary<string, double> PerConnection(Dictionary<string, long> commands) =>
            commands.ToDictionary(c => c.Key, c => c.Value / (double)Connections);
        var result = new
        {
            connections = Connections,
            backplaneCommandsPerConnection = PerConnection(RedisProbe.CommandsBetween(before, between)),
            presenceCommandsPerConnection = PerConnection(RedisProbe.CommandsBetween(between, after)),
        };
        Log($"churn: backplane per connection {JsonSerializer.Serialize(result.backplaneCommandsPerConnection)}; presence per connection {JsonSerializer.Serialize(result.presenceCommandsPerConnection)}");
        return result;
    }

    /// <summary>The PUBLISH payloads of a few events of a mode, seen by a pattern subscriber of every channel.</summary>
    private static async Task<object> MeasurePayloadsAsync(RedisProcess redis, Mode mode, Settings settings, CancellationToken cancellationToken)
    {
        using var monitor = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var seen = new List<(string Channel, byte[] Payload)>();
        var queue = await monitor.GetSubscriber().SubscribeAsync(RedisChannel.Pattern("*"));
        queue.OnMessage(message =>
        {
            lock (seen)
            {
                seen.Add(((string)message.Channel!, (byte[])message.Message!));
            }
        });
        await SendSeriesAsync(mode, settings.SizingEvents, settings, cancellationToken);

        // The monitor may see the last messages a moment after the device did.
        var expected = mode.Name == Baseline ? 0 : settings.SizingEvents;
        for (var waited = 0; waited < 40 && Count() < expected; waited++)
        {
            await Task.Delay(50, cancellationToken);
        }

        await queue.UnsubscribeAsync();
        (string Channel, byte[] Payload)[] messages;
        lock (seen)
        {
            messages = [.. seen];
        }

        object Of(string method)
        {
            var marker = Encoding.UTF8.GetBytes("\"" + method + "\"");
            var matching = messages.Where(m => m.Payload.AsSpan().IndexOf(marker) >= 0).ToArray();
            return matching.Length == 0
                ? new { published = 0 }
                : new
                {
                    published = matching.Length,
                    meanPayloadBytes = matching.Average(m => m.Payload.Length),
                    channelBytes = Encoding.UTF8.GetByteCount(matching[0].Channel),
                    channel = matching[0].Channel,
                    example = Printable(matching[0].Payload),
                };
        }

        int Count()
        {
            lock (seen)
            {
                return seen.Count;
            }
        }

        var result = new
        {
            eventsSent = settings.SizingEvents,
            messagesPublished = messages.Length,
            meanPayloadBytesPerEvent = messages.Length == 0 ? 0 : messages.Sum(m => (double)m.Payload.Length) / settings.SizingEvents,
            iceCandidate = Of("IceCandidate"),
            callStatusChanged = Of("CallStatusChanged"),
        };
        Log($"payloads: {mode.Name}: {result.messagesPublished} PUBLISH for {result.eventsSent} events, {result.meanPayloadBytesPerEvent:F1} payload bytes per event");
        return result;
    }

    /// <summary>Bytes as text, with anything unprintable (the backplane's MessagePack framing) as \xNN.</summary>
    private static string Printable(byte[] payload)
    {
        var text = new StringBuilder();
        foreach (var b in payload)
        {
            text.Append(b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return text.ToString();
    }

    private static async Task WaitForSubscriberAsync(ConnectionMultiplexer probe, string channelPattern, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var channels = (RedisResult[]?)await probe.GetDatabase().ExecuteAsync("PUBSUB", "CHANNELS", channelPattern);
            if (channels is { Length: > 0 })
            {
                return;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"no subscriber for {channelPattern}");
    }

    private static (object Medians, List<string> Table) Summarise(Mode[] modes, List<RunResult> runs)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        var medians = modes.ToDictionary(mode => mode.Name, mode =>
        {
            var of = runs.Where(r => r.Mode == mode.Name).ToArray();
            return new MedianResult(
                Median(of.Select(r => r.CpuPerEventMicroseconds)),
                Median(of.Select(r => r.BenchCpuPerEventMicroseconds)),
                Median(of.Select(r => r.RedisCpuPerEventMicroseconds)),
                Median(of.Select(r => r.EventsPerSecond)),
                Median(of.Select(r => r.LatencyP50Milliseconds)),
                Median(of.Select(r => r.LatencyP99Milliseconds)),
                Median(of.Select(r => r.AllocatedBytesPerEvent)),
                Median(of.Select(r => r.RedisCommandsPerEvent)),
                Median(of.Select(r => r.PublishPerEvent)),
                Median(of.Select(r => r.RedisNetInputBytesPerEvent)),
                Median(of.Select(r => r.RedisNetOutputBytesPerEvent)),
                of.Sum(r => r.Failed),
                of.Sum(r => r.OutOfOrder));
        });

        var baseline = medians[Baseline];
        var table = new List<string> { "mode | CPU µs/event (bench+redis) | extra over baseline | events/s | p50 ms | p99 ms | redis cmds/event | bytes in/out per event" };
        var result = new Dictionary<string, object>();
        foreach (var (name, m) in medians)
        {
            var ratios = new
            {
                cpuPerEvent = m.CpuPerEventMicroseconds / baseline.CpuPerEventMicroseconds,
                eventsPerSecond = m.EventsPerSecond / baseline.EventsPerSecond,
                latencyP50 = m.LatencyP50Milliseconds / baseline.LatencyP50Milliseconds,
                latencyP99 = m.LatencyP99Milliseconds / baseline.LatencyP99Milliseconds,
            };
            result[name] = new { median = m, extraCpuOverBaselineMicroseconds = m.CpuPerEventMicroseconds - baseline.CpuPerEventMicroseconds, toBaseline = ratios };
            table.Add($"{name} | {m.CpuPerEventMicroseconds:F1} (bench {m.BenchCpuPerEventMicroseconds:F1}, redis {m.RedisCpuPerEventMicroseconds:F1}) | " +
                $"{m.CpuPerEventMicroseconds - baseline.CpuPerEventMicroseconds:F1} | {m.EventsPerSecond:F0} (×{ratios.eventsPerSecond:F2}) | " +
                $"{m.LatencyP50Milliseconds:F2} | {m.LatencyP99Milliseconds:F2} | {m.RedisCommandsPerEvent:F3} | {m.RedisNetInputBytesPerEvent:F0}/{m.RedisNetOutputBytesPerEvent:F0}");
        }

        return (result, table);
    }

    private static void Log(string line) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss.fff}] {line}");

    private sealed class Mode(string name, Func<string, object?[], Task> send, Receiver device)
    {
        public int FailuresNoted;

        public string Name { get; } = name;

        public Func<string, object?[], Task> Send { get; } = send;

        public Receiver Device { get; } = device;
    }
}

/// <summary>One measured series of one mode.</summary>
internal sealed record RunResult(
    string Mode,
    int Repetition,
    int Events,
    int Arrived,
    int Failed,
    int OutOfOrder,
    double Seconds,
    double EventsPerSecond,
    double CpuPerEventMicroseconds,
    double BenchCpuPerEventMicroseconds,
    double RedisCpuPerEventMicroseconds,
    double RedisProcCpuPerEventMicroseconds,
    double LatencyP50Milliseconds,
    double LatencyP99Milliseconds,
    double AllocatedBytesPerEvent,
    string Collections,
    double RedisCommandsPerEvent,
    double PublishPerEvent,
    IReadOnlyDictionary<string, long> RedisCommands,
    double RedisNetInputBytesPerEvent,
    double RedisNetOutputBytesPerEvent);

/// <summary>The medians over the repetitions of one mode.</summary>
internal sealed record MedianResult(
    double CpuPerEventMicroseconds,
    double BenchCpuPerEventMicroseconds,
    double RedisCpuPerEventMicroseconds,
    double EventsPerSecond,
    double LatencyP50Milliseconds,
    double LatencyP99Milliseconds,
    double AllocatedBytesPerEvent,
    double RedisCommandsPerEvent,
    double PublishPerEvent,
    double RedisNetInputBytesPerEvent,
    double RedisNetOutputBytesPerEvent,
    int Failed,
    int OutOfOrder);
