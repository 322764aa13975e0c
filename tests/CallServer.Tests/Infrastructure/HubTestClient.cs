using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CallServer.Tests.Infrastructure;

/// <summary>Why a WebSocket could not be opened (the HTTP status of the refused upgrade).</summary>
public sealed class HubConnectException(HttpStatusCode statusCode, Exception inner)
    : Exception($"the hub refused the connection with HTTP {(int)statusCode}", inner)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
}

/// <summary>
/// One device of a host test: the official .NET SignalR client (<see cref="HubConnection"/>, JSON hub
/// protocol, WebSockets without negotiate) with what the tests need around it: every server event
/// queued per name until a test consumes it, hub errors as <see cref="HubErrorException"/> with the
/// contract's code, the HTTP status of a refused upgrade, and <see cref="Abort"/> (a device that
/// vanishes). Frames the official client would never send go through <see cref="RawHubSocket"/>.
/// </summary>
public sealed class HubTestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The server's events and how many arguments each carries (HubEvents, CallNotifier.ToEvent).</summary>
    private static readonly (string Name, int Arguments)[] ServerEvents =
    [
        (CallEvents.IncomingCall, 2),
        (CallEvents.CallStatusChanged, 1),
        (CallEvents.RemoteDescription, 3),
        (CallEvents.RenegotiationRequested, 4),
        (CallEvents.CallOperationCompleted, 6),
        (CallEvents.MediaAttributesChanged, 1),
        (CallEvents.IceCandidate, 2),
        (CallEvents.ServerDraining, 0),
        (CallEvents.CallHistoryChanged, 1),
        (CallEvents.TransferRequested, 4),
        (CallEvents.TransferConnected, 3),
        (CallEvents.TransferProgress, 3),
        (CallEvents.DtmfReceived, 2),
        (CallEvents.CustomParametersReceived, 2),
    ];

    private const string ServerClosedPrefix = "The server closed the connection with the following error: ";

    private static readonly JsonElement NullElement = JsonDocument.Parse("null").RootElement.Clone();

    private readonly HubConnection connection;
    private readonly object eventLock = new();
    private readonly Dictionary<string, List<JsonElement[]>> events = new(StringComparer.Ordinal);
    private readonly List<Waiter> waiters = [];
    private readonly List<string> clientLog = [];
    private readonly TaskCompletionSource<string?> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? socket;
    private volatile bool aborted;

    private HubTestClient(Uri hubUrl, string? token, bool tokenInHeader, string name)
    {
        Name = name;
        connection = new HubConnectionBuilder()
            .WithUrl(hubUrl, options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.CloseTimeout = TimeSpan.FromSeconds(2);
                if (token is not null && tokenInHeader)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }

                options.WebSocketFactory = OpenSocketAsync;
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions = Json.Options)
            .ConfigureLogging(logging => logging.AddProvider(new ClientLogProvider(this)))
            .Build();

        foreach (var (eventName, count) in ServerEvents)
        {
            connection.On(eventName, Enumerable.Repeat(typeof(JsonElement), count).ToArray(), OnEventAsync, eventName);
        }

        connection.Closed += exception =>
        {
            closed.TrySetResult(CloseError(exception));
            return Task.CompletedTask;
        };
    }

    /// <summary>A label for failure messages (usually the user's name and device).</summary>
    public string Name { get; }

    /// <summary>Completes when the connection closed; the value is the server's close message error, if any.</summary>
    public Task<string?> Closed => closed.Task;

    /// <summary>Opens <c>/hubs/calls</c> with <paramref name="token"/> (none when null) and does the handshake.</summary>
    /// <param name="serverAddress">http://host:port of the server.</param>
    /// <param name="token">The access token, or null for none.</param>
    /// <param name="name">A label for failure messages.</param>
    /// <param name="tokenInHeader">Send the token as <c>Authorization: Bearer</c> instead of the <c>access_token</c> query parameter.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    public static async Task<HubTestClient> ConnectAsync(Uri serverAddress, string? token, string name = "client", bool tokenInHeader = false, CancellationToken cancellationToken = default)
    {
        var query = token is null || tokenInHeader ? string.Empty : "?access_token=" + Uri.EscapeDataString(token);
        var client = new HubTestClient(new Uri(serverAddress, "/hubs/calls" + query), token, tokenInHeader, name);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        try
        {
            await client.connection.StartAsync(timeout.Token);
        }
        catch (Exception exception) when (client.socket is { HttpStatusCode: not 0 and not HttpStatusCode.SwitchingProtocols } refused)
        {
            await client.DisposeAsync();
            throw new HubConnectException(refused.HttpStatusCode, exception);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>
    /// Returns once the server has run its connect step for this connection (the device is present and rings) or
    /// closed it (a refused connection: <see cref="Closed"/> has completed). The handshake completes before the
    /// hub's OnConnectedAsync runs, and the hub runs a connection's invocations only after it, so one round trip
    /// tells; without it a call placed at once may find the device not yet there (a race a loaded machine shows).
    /// </summary>
    public async Task WaitUntilPresentAsync()
    {
        try
        {
            await connection.InvokeAsync<JsonElement>("GetActiveCalls").WaitAsync(DefaultTimeout);
        }
        catch (Exception error) when (error is not TimeoutException)
        {
            // Refused at connect: the server closes the connection (the test reads why from Closed).
            await closed.Task.WaitAsync(DefaultTimeout);
        }
    }

    /// <summary>Invokes <paramref name="method"/> and waits for its completion; throws <see cref="HubErrorException"/> on an error.</summary>
    public async Task InvokeAsync(string method, params object?[] arguments) =>
        await InvokeRawAsync(method, arguments);

    /// <summary>Invokes <paramref name="method"/> and returns its result deserialized as <typeparamref name="T"/>.</summary>
    public async Task<T> InvokeAsync<T>(string method, params object?[] arguments) =>
        (await InvokeRawAsync(method, arguments)).To<T>();

    /// <summary>Invokes <paramref name="method"/> and returns the raw result (default when it has none).</summary>
    public async Task<JsonElement> InvokeRawAsync(string method, params object?[] arguments)
    {
        try
        {
            var result = await connection.InvokeCoreAsync(method, typeof(JsonElement), arguments).WaitAsync(DefaultTimeout);
            return result is JsonElement element ? element : default;
        }
        catch (HubException error) when (!error.Message.StartsWith(ServerClosedPrefix, StringComparison.Ordinal))
        {
            throw new HubErrorException(method, error.Message);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name}: {method} got no completion within {DefaultTimeout.TotalSeconds} s");
        }
    }

    /// <summary>
    /// Waits for the first event named <paramref name="name"/> whose arguments match <paramref name="predicate"/>
    /// (one already received counts) and consumes it.
    /// </summary>
    public async Task<JsonElement[]> WaitForEventAsync(string name, Func<JsonElement[], bool>? predicate = null, TimeSpan? timeout = null)
    {
        predicate ??= _ => true;
        Waiter waiter;
        lock (eventLock)
        {
            if (events.TryGetValue(name, out var queue))
            {
                var index = queue.FindIndex(arguments => Matches(predicate, arguments));
                if (index >= 0)
                {
                    var found = queue[index];
                    queue.RemoveAt(index);
                    return found;
                }
            }

            waiter = new Waiter(name, predicate);
            waiters.Add(waiter);
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(timeout ?? DefaultTimeout);
        }
        catch (TimeoutException)
        {
            lock (eventLock)
            {
                waiters.Remove(waiter);
                var seen = events.TryGetValue(name, out var queue) ? string.Join("\n  ", queue.Select(Describe)) : "none";
                var log = clientLog.Count == 0 ? string.Empty : "\nclient log:\n  " + string.Join("\n  ", clientLog);
                throw new TimeoutException($"{Name}: no matching {name} within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s; unconsumed {name} events:\n  {seen}{log}");
            }
        }
    }

    /// <summary>For negative checks only: fails if a matching event named <paramref name="name"/> arrives within <paramref name="window"/>.</summary>
    public async Task AssertNoEventAsync(string name, Func<JsonElement[], bool>? predicate = null, TimeSpan? window = null)
    {
        JsonElement[] arrived;
        try
        {
            arrived = await WaitForEventAsync(name, predicate, window ?? TimeSpan.FromMilliseconds(300));
        }
        catch (TimeoutException)
        {
            return;
        }

        Assert.Fail($"{Name}: unexpected {name}: {Describe(arrived)}");
    }

    /// <summary>The events of <paramref name="name"/> received and not consumed yet.</summary>
    public IReadOnlyList<JsonElement[]> Unconsumed(string name)
    {
        lock (eventLock)
        {
            return events.TryGetValue(name, out var queue) ? [.. queue] : [];
        }
    }

    /// <summary>Drops the connection without a close handshake (a device that vanishes).</summary>
    public void Abort()
    {
        aborted = true;
        socket?.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await connection.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException or WebSocketException)
        {
            socket?.Abort();
        }

        socket?.Dispose();
    }

    /// <summary>
    /// The client's WebSocket, opened here so that the test keeps it: its HTTP status tells why an
    /// upgrade was refused, and <see cref="Abort"/> drops it without a close handshake.
    /// </summary>
    private async ValueTask<WebSocket> OpenSocketAsync(WebSocketConnectionContext context, CancellationToken cancellationToken)
    {
        var webSocket = new ClientWebSocket();
        webSocket.Options.CollectHttpResponseDetails = true;
        if (context.Options.AccessTokenProvider is { } tokenProvider && await tokenProvider() is { Length: > 0 } token)
        {
            webSocket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        socket = webSocket;
        var uri = new UriBuilder(context.Uri) { Scheme = context.Uri.Scheme == "https" || context.Uri.Scheme == "wss" ? "wss" : "ws" }.Uri;
        await webSocket.ConnectAsync(uri, cancellationToken);
        return webSocket;
    }

    private Task OnEventAsync(object?[] arguments, object state)
    {
        var name = (string)state;
        var values = arguments.Select(a => a is JsonElement element ? element : NullElement).ToArray();
        lock (eventLock)
        {
            var waiter = waiters.FirstOrDefault(w => w.Name == name && Matches(w.Predicate, values));
            if (waiter is not null)
            {
                waiters.Remove(waiter);
                waiter.Completion.TrySetResult(values);
                return Task.CompletedTask;
            }

            if (!events.TryGetValue(name, out var queue))
            {
                events[name] = queue = [];
            }

            queue.Add(values);
        }

        return Task.CompletedTask;
    }

    /// <summary>The close message's error (without the client's prefix), or null for a clean close or a drop this test caused.</summary>
    private string? CloseError(Exception? exception) => exception switch
    {
        null => null,
        _ when aborted => null,
        HubException hub when hub.Message.StartsWith(ServerClosedPrefix, StringComparison.Ordinal) => hub.Message[ServerClosedPrefix.Length..],
        _ => exception.Message,
    };

    private static bool Matches(Func<JsonElement[], bool> predicate, JsonElement[] arguments)
    {
        try
        {
            return predicate(arguments);
        }
        catch (Exception exception) when (exception is InvalidOperationException or KeyNotFoundException or IndexOutOfRangeException or JsonException)
        {
            return false;
        }
    }

    private static string Describe(JsonElement[] arguments) => "[" + string.Join(", ", arguments.Select(a => a.GetRawText())) + "]";

    private sealed class Waiter(string name, Func<JsonElement[], bool> predicate)
    {
        public string Name { get; } = name;

        public Func<JsonElement[], bool> Predicate { get; } = predicate;

        public TaskCompletionSource<JsonElement[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>Keeps the client's own warnings and errors (an event it could not bind, say) for timeout messages.</summary>
    private sealed class ClientLogProvider(HubTestClient client) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            lock (client.eventLock)
            {
                client.clientLog.Add($"{logLevel} {eventId.Name}: {formatter(state, exception)}");
            }
        }

        public void Dispose()
        {
        }
    }
}
