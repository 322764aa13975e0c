using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Ports;
using CallServer.Push;
using CallServer.Push.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallServer.Tests.Push;

/// <summary>What the push provider tests share: keys, registrations, messages, providers, recorded logs.</summary>
public static class PushTestKit
{
    public static readonly Address Bob = Address.TryParse("bob@example.com", "example.com", out var bob) ? bob : throw new InvalidOperationException();

    public static PushRegistration Registration(PushPlatform platform, string? token = null, WebPushSubscription? subscription = null, string? appId = null) =>
        new($"installation-{Guid.NewGuid():N}", Bob, platform, token, subscription, appId, DateTimeOffset.UtcNow);

    public static string NewCallId() => $"call-{Guid.NewGuid():N}";

    public static IncomingCallPush Incoming(string? callId = null, string? displayName = "Alice Liddell", bool video = true, TimeSpan? ringing = null) =>
        new(callId ?? NewCallId(), "alice@example.com", displayName, video, DateTimeOffset.UtcNow + (ringing ?? TimeSpan.FromSeconds(30)));

    public static CallCanceledPush Canceled(string callId, string reason = "answeredElsewhere") =>
        new(callId, reason, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30));

    /// <summary>A provider, its HTTP pipeline and the test's logs; disposes all three.</summary>
    public static Harness<T> Build<T>(PushOptions options, Func<IOptions<PushOptions>, PushHttpPipeline, ILoggerFactory, T> create, TimeProvider? clock = null)
        where T : IPushProvider, IDisposable
    {
        var logs = new RecordedLogs();
        var wrapped = Options.Create(options);
        var pipeline = new PushHttpPipeline(wrapped, PushUserAgent.For(null));
        return new Harness<T>(create(wrapped, pipeline, logs.Factory), pipeline, logs);
    }

    public sealed class Harness<T>(T provider, PushHttpPipeline pipeline, RecordedLogs logs) : IDisposable
        where T : IPushProvider, IDisposable
    {
        public T Provider { get; } = provider;

        public RecordedLogs Logs { get; } = logs;

        public void Dispose()
        {
            Provider.Dispose();
            pipeline.Dispose();
            Logs.Dispose();
        }
    }
}

/// <summary>An APNs signing key as Apple hands it out (.p8: PKCS#8 PEM) and its public half for the stand-in.</summary>
public sealed class ApnsTestKey : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public string Pkcs8Pem => key.ExportPkcs8PrivateKeyPem();

    public ECParameters PublicKey => key.ExportParameters(includePrivateParameters: false);

    public void Dispose() => key.Dispose();
}

/// <summary>A Google service account key (the JSON of the console's "Create key") with its public half for the stand-in.</summary>
public sealed class ServiceAccountTestKey : IDisposable
{
    public const string ClientEmail = "push-sender@callserver-test.iam.gserviceaccount.com";
    public const string KeyId = "0123456789abcdef0123456789abcdef01234567";

    private readonly RSA key = RSA.Create(2048);

    public RSAParameters PublicKey => key.ExportParameters(includePrivateParameters: false);

    public string PrivateKeyPem => key.ExportPkcs8PrivateKeyPem();

    /// <summary>The key file; its <c>token_uri</c> points at a loopback port nothing listens on, so only <c>Push:Fcm:TokenEndpoint</c> can work.</summary>
    public string Json(string projectId) => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = projectId,
        ["private_key_id"] = KeyId,
        ["private_key"] = PrivateKeyPem,
        ["client_email"] = ClientEmail,
        ["client_id"] = "104242424242424242424",
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = "http://127.0.0.1:9/token-uri-of-the-key-file",
    });

    public void Dispose() => key.Dispose();
}

/// <summary>Every log entry of a test, every level, with its message and structured values.</summary>
public sealed class RecordedLogs : IDisposable
{
    private readonly ConcurrentQueue<Entry> entries = new();

    public RecordedLogs()
    {
        Factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(new Provider(this)));
    }

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<Entry> Entries => entries.ToArray();

    /// <summary>Everything written, as one text: messages, structured values and exceptions.</summary>
    public string AllText => string.Join('\n', entries.Select(entry => $"{entry.Message} {string.Join(' ', entry.Values)} {entry.Exception}"));

    public void Dispose() => Factory.Dispose();

    public sealed record Entry(LogLevel Level, EventId EventId, string Message, IReadOnlyList<string> Values, Exception? Exception);

    private sealed class Provider(RecordedLogs logs) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(RecordedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.Select(pair => $"{pair.Key}={pair.Value}").ToList()
                : [];
            logs.entries.Enqueue(new Entry(logLevel, eventId, formatter(state, exception), values, exception));
        }
    }
}

/// <summary>A clock the test moves by hand.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;
}
