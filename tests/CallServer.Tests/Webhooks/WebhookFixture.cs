using System.Collections.Concurrent;
using CallServer.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CallServer.Tests.Webhooks;

/// <summary>
/// A CallServer (in memory) with two webhook endpoints on a loopback <see cref="WebhookReceiver"/>, started
/// before the server: <see cref="AllEndpoint"/> takes every event, <see cref="PickedEndpoint"/> only
/// call.answered and call.ended. Attempts are bounded by <see cref="Timeout"/>, 4 at most, 100 ms apart at
/// first. The server's warnings and errors are recorded (<see cref="Logs"/>), and its delivery counts (<see cref="Measurements"/>).
/// </summary>
public sealed class WebhookFixture : CallServerFixture
{
    public const string AllEndpoint = "all";
    public const string PickedEndpoint = "picked";
    public const int MaxAttempts = 4;

    public static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(1500);

    private readonly string allSecret = WebhookReceiver.NewSecret();
    private readonly string pickedSecret = WebhookReceiver.NewSecret();

    public WebhookReceiver Receiver { get; private set; } = null!;

    public ServerLogs Logs { get; } = new();

    public WebhookMeasurements Measurements { get; } = new();

    public override async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync(new Dictionary<string, string> { [AllEndpoint] = allSecret, [PickedEndpoint] = pickedSecret });
        await base.InitializeAsync();
        Services.GetRequiredService<ILoggerFactory>().AddProvider(Logs);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        Measurements.Dispose();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Webhooks:Endpoints:0:Url"] = Receiver.Url(AllEndpoint);
        settings["Webhooks:Endpoints:0:Secret"] = allSecret;
        settings["Webhooks:Endpoints:1:Url"] = Receiver.Url(PickedEndpoint);
        settings["Webhooks:Endpoints:1:Secret"] = pickedSecret;
        settings["Webhooks:Endpoints:1:Events:0"] = "call.answered";
        settings["Webhooks:Endpoints:1:Events:1"] = "call.ended";
        settings["Webhooks:Timeout"] = Timeout.ToString("c");
        settings["Webhooks:MaxAttempts"] = MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Webhooks:FirstRetryDelay"] = "00:00:00.100";
        settings["Webhooks:MaxRetryDelay"] = "00:00:00.400";
    }
}

/// <summary>The server's log entries (warnings and up, as the host's filters let through), with their structured values.</summary>
public sealed class ServerLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> entries = new();

    public IReadOnlyList<Entry> Entries => [.. entries];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, LogLevel Level, EventId EventId, string Message, IReadOnlyDictionary<string, string?> Values);

    private sealed class Logger(ServerLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value?.ToString())
                : new Dictionary<string, string?>();
            logs.entries.Enqueue(new Entry(category, logLevel, eventId, formatter(state, exception), values));
        }
    }
}
