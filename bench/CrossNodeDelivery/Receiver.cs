using System.Diagnostics;
using CallServer.Application;
using CallServer.Domain.Calls;
using CallServer.Domain.Views;
using CallServer.Hubs;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace CrossNodeDelivery;

/// <summary>
/// The device: an official .NET SignalR client (JSON protocol, WebSockets) that parses each event into its
/// real types and records its latency (receive time − the sender's timestamp carried in the event).
/// </summary>
internal sealed class Receiver : IAsyncDisposable
{
    private readonly HubConnection connection;
    private Run? run;

    private Receiver(HubConnection connection, string connectionId)
    {
        this.connection = connection;
        ConnectionId = connectionId;
    }

    /// <summary>The server's id of this connection: the device id.</summary>
    public string ConnectionId { get; }

    public static async Task<Receiver> ConnectAsync(string hubUrl, CancellationToken cancellationToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, HttpTransportType.WebSockets, options => options.SkipNegotiation = true)
            .AddJsonProtocol(json => HubJson.Configure(json.PayloadSerializerOptions))
            .Build();
        Receiver? receiver = null;
        connection.On<string, IceCandidate, long>(HubEvents.IceCandidate, (_, _, sentAt) => receiver!.Arrived(sentAt));
        connection.On<CallSnapshot, long>(HubEvents.CallStatusChanged, (_, sentAt) => receiver!.Arrived(sentAt));
        await connection.StartAsync(cancellationToken);
        var id = await connection.InvokeAsync<string>(nameof(BenchHub.ConnectionId), cancellationToken);
        receiver = new Receiver(connection, id);
        return receiver;
    }

    /// <summary>Expects <paramref name="count"/> events, at most <paramref name="window"/> of them in flight.</summary>
    public Run Begin(int count, int window) => run = new Run(count, window);

    public void End() => run = null;

    private void Arrived(long sentAt)
    {
        var now = Stopwatch.GetTimestamp();
        run?.Arrived(sentAt, now);
    }

    public async ValueTask DisposeAsync() => await connection.DisposeAsync();

    /// <summary>One measured series: the window, the latencies, the end.</summary>
    internal sealed class Run(int count, int window)
    {
        private readonly long[] latencies = new long[count];
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int arrived;
        private int failed;
        private long lastSentAt;

        public SemaphoreSlim Window { get; } = new(window, window);

        public Task Done => done.Task;

        public int Count => count;

        public int ArrivedCount => Volatile.Read(ref arrived);

        public int Failed => Volatile.Read(ref failed);

        /// <summary>Events that arrived after an event sent later than them (the client's handlers run one at a time).</summary>
        public int OutOfOrder { get; private set; }

        public void Arrived(long sentAt, long now)
        {
            var index = Interlocked.Increment(ref arrived) - 1;
            if (index >= count)
            {
                return;
            }

            latencies[index] = now - sentAt;
            if (sentAt < lastSentAt)
            {
                OutOfOrder++;
            }

            lastSentAt = sentAt;
            Window.Release();
            CheckDone();
        }

        public void Fail()
        {
            Interlocked.Increment(ref failed);
            Window.Release();
            CheckDone();
        }

        /// <summary>Latency percentiles in milliseconds over the events that arrived.</summary>
        public (double P50, double P99) Percentiles()
        {
            var n = Math.Min(ArrivedCount, count);
            var sorted = latencies[..n];
            Array.Sort(sorted);
            double At(double q) => n == 0 ? double.NaN : sorted[Math.Min(n - 1, (int)Math.Ceiling(q * n) - 1)] * 1000.0 / Stopwatch.Frequency;
            return (At(0.50), At(0.99));
        }

        private void CheckDone()
        {
            if (Volatile.Read(ref arrived) + Volatile.Read(ref failed) >= count)
            {
                done.TrySetResult();
            }
        }
    }
}
