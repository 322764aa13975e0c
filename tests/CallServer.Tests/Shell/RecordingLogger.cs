using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CallServer.Tests.Shell;

/// <summary>A logger that keeps every entry (level, event id, message, exception), for tests that count what was reported.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly ConcurrentQueue<Entry> entries = new();

    public IReadOnlyList<Entry> Entries => [.. entries];

    /// <summary>The entries of the event named <paramref name="eventName"/>.</summary>
    public IReadOnlyList<Entry> Of(string eventName) => [.. entries.Where(entry => entry.EventId.Name == eventName)];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        entries.Enqueue(new Entry(logLevel, eventId, formatter(state, exception), exception));

    /// <summary>One log entry.</summary>
    public sealed record Entry(LogLevel Level, EventId EventId, string Message, Exception? Exception);
}
