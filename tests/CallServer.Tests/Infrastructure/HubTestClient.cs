using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace CallServer.Tests.Infrastructure;

/// <summary>Why a WebSocket could not be opened (the HTTP status of the refused upgrade).</summary>
public sealed class HubConnectException(HttpStatusCode statusCode, Exception inner)
    : Exception($"the hub refused the connection with HTTP {(int)statusCode}", inner)
{
    public HttpStatusCode StatusCode { get; } = statusCode;
}

/// <summary>
/// A minimal SignalR client speaking the JSON hub protocol over WebSockets (no negotiate): invocations
/// with completions, server events queued per name, pings and close messages.
/// </summary>
public sealed class HubTestClient : IAsyncDisposable
{
    public const char RecordSeparator = '\u001e';

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket socket;
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private readonly ConcurrentDictionary<string, (string Method, TaskCompletionSource<JsonElement> Completion)> pending = new();
    private readonly object eventLock = new();
    private readonly Dictionary<string, List<JsonElement[]>> events = new(StringComparer.Ordinal);
    private readonly List<Waiter> waiters = [];
    private readonly TaskCompletionSource<string?> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stopping = new();
    private Task receiveLoop = Task.CompletedTask;
    private Task pingLoop = Task.CompletedTask;
    private int nextInvocationId;

    private HubTestClient(ClientWebSocket socket, string name)
    {
        this.socket = socket;
        Name = name;
    }

    /// <summary>A label for failure messages (usually the user's name and device).</summary>
    public string Name { get; }

    /// <summary>Completes when the server closed the connection; the value is the close message's error, if any.</summary>
    public Task<string?> Closed => closed.Task;

    /// <summary>Opens <c>/hubs/calls</c> with <paramref name="token"/> (none when null) and does the handshake.</summary>
    /// <param name="serverAddress">http://host:port of the server.</param>
    /// <param name="token">The access token, or null for none.</param>
    /// <param name="name">A label for failure messages.</param>
    /// <param name="tokenInHeader">Send the token as <c>Authorization: Bearer</c> instead of the <c>access_token</c> query parameter.</param>
    /// <param name="cancellationToken">Cancels the connect.</param>
    public static async Task<HubTestClient> ConnectAsync(Uri serverAddress, string? token, string name = "client", bool tokenInHeader = false, CancellationToken cancellationToken = default)
    {
        var scheme = serverAddress.Scheme == "https" ? "wss" : "ws";
        var query = token is null || tokenInHeader ? string.Empty : "?access_token=" + Uri.EscapeDataString(token);
        var uri = new Uri($"{scheme}://{serverAddress.Authority}/hubs/calls{query}");
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        if (token is not null && tokenInHeader)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(DefaultTimeout);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
        }
        catch (WebSocketException exception) when (socket.HttpStatusCode != 0 && socket.HttpStatusCode != HttpStatusCode.SwitchingProtocols)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            throw new HubConnectException(status, exception);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new HubTestClient(socket, name);
        try
        {
            await client.HandshakeAsync(timeout.Token);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>Invokes <paramref name="method"/> and waits for its completion; throws <see cref="HubErrorException"/> on an error.</summary>
    public async Task InvokeAsync(string method, params object?[] arguments) =>
        await InvokeCoreAsync(method, arguments);

    /// <summary>Invokes <paramref name="method"/> and returns its result deserialized as <typeparamref name="T"/>.</summary>
    public async Task<T> InvokeAsync<T>(string method, params object?[] arguments) =>
        (await InvokeCoreAsync(method, arguments)).To<T>();

    /// <summary>Invokes <paramref name="method"/> and returns the raw result.</summary>
    public Task<JsonElement> InvokeRawAsync(string method, params object?[] arguments) =>
        InvokeCoreAsync(method, arguments);

    /// <summary>Sends one hub invocation whose JSON text is <paramref name="json"/> without waiting (to probe the server's limits).</summary>
    public Task SendRawAsync(string json) => SendTextAsync(json + RecordSeparator, CancellationToken.None);

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
                throw new TimeoutException($"{Name}: no matching {name} within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s; unconsumed {name} events:\n  {seen}");
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
        stopping.Cancel();
        socket.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopping.IsCancellationRequested)
        {
            stopping.Cancel();
            if (socket.State == WebSocketState.Open)
            {
                try
                {
                    using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
                }
                catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
                {
                    socket.Abort();
                }
            }
        }

        try
        {
            await Task.WhenAll(receiveLoop, pingLoop).WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException or WebSocketException)
        {
            socket.Abort();
        }

        socket.Dispose();
        sendLock.Dispose();
        stopping.Dispose();
    }

    private async Task HandshakeAsync(CancellationToken cancellationToken)
    {
        await SendTextAsync("{\"protocol\":\"json\",\"version\":1}" + RecordSeparator, cancellationToken);
        var buffer = new ArrayBufferWriter<byte>();
        var handshake = await ReadRecordAsync(buffer, cancellationToken)
            ?? throw new InvalidOperationException("the server closed the connection during the handshake");
        using (var response = JsonDocument.Parse(handshake))
        {
            if (response.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException("handshake refused: " + error.GetString());
            }
        }

        receiveLoop = Task.Run(() => ReceiveLoopAsync(buffer));
        pingLoop = Task.Run(PingLoopAsync);
    }

    private async Task<JsonElement> InvokeCoreAsync(string method, object?[] arguments)
    {
        var id = Interlocked.Increment(ref nextInvocationId).ToString(CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = (method, completion);
        var message = JsonSerializer.Serialize(
            new Dictionary<string, object?> { ["type"] = 1, ["invocationId"] = id, ["target"] = method, ["arguments"] = arguments },
            Json.Options);
        try
        {
            await SendTextAsync(message + RecordSeparator, CancellationToken.None);
            var result = await completion.Task.WaitAsync(DefaultTimeout);
            return result;
        }
        catch (HubErrorException)
        {
            throw;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name}: {method} got no completion within {DefaultTimeout.TotalSeconds} s");
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    private async Task SendTextAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    /// <summary>Reads until one whole record (up to 0x1E) is in <paramref name="buffer"/>; returns it and keeps the rest.</summary>
    private async Task<string?> ReadRecordAsync(ArrayBufferWriter<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var separator = buffer.WrittenSpan.IndexOf((byte)RecordSeparator);
            if (separator >= 0)
            {
                var record = Encoding.UTF8.GetString(buffer.WrittenSpan[..separator]);
                var rest = buffer.WrittenSpan[(separator + 1)..].ToArray();
                buffer.ResetWrittenCount();
                buffer.Write(rest);
                return record;
            }

            var result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
        }
    }

    private async Task ReceiveLoopAsync(ArrayBufferWriter<byte> buffer)
    {
        string? closeError = null;
        try
        {
            while (true)
            {
                var record = await ReadRecordAsync(buffer, stopping.Token);
                if (record is null)
                {
                    break;
                }

                if (Dispatch(record) is { } close)
                {
                    closeError = close.Length == 0 ? null : close;
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            closeError ??= stopping.IsCancellationRequested ? null : exception.Message;
        }
        finally
        {
            closed.TrySetResult(closeError);
            foreach (var (_, invocation) in pending)
            {
                invocation.Completion.TrySetException(new InvalidOperationException($"{Name}: the connection closed ({closeError ?? "no error"})"));
            }
        }
    }

    /// <summary>Handles one message; returns the close error ("" for none) when it was a close message.</summary>
    private string? Dispatch(string record)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1 when !root.TryGetProperty("invocationId", out _):
                var target = root.GetProperty("target").GetString()!;
                var arguments = root.GetProperty("arguments").EnumerateArray().Select(a => a.Clone()).ToArray();
                OnEvent(target, arguments);
                return null;
            case 3:
                var id = root.GetProperty("invocationId").GetString()!;
                if (pending.TryGetValue(id, out var invocation))
                {
                    var completion = invocation.Completion;
                    if (root.TryGetProperty("error", out var error))
                    {
                        completion.TrySetException(new HubErrorException(invocation.Method, error.GetString() ?? string.Empty));
                    }
                    else
                    {
                        completion.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                    }
                }

                return null;
            case 7:
                return root.TryGetProperty("error", out var closeError) ? closeError.GetString() ?? string.Empty : string.Empty;
            default:
                // 6 ping, 2 stream item, and server-to-client invocations expecting a result (not used here).
                return null;
        }
    }

    private void OnEvent(string name, JsonElement[] arguments)
    {
        lock (eventLock)
        {
            var waiter = waiters.FirstOrDefault(w => w.Name == name && Matches(w.Predicate, arguments));
            if (waiter is not null)
            {
                waiters.Remove(waiter);
                waiter.Completion.TrySetResult(arguments);
                return;
            }

            if (!events.TryGetValue(name, out var queue))
            {
                events[name] = queue = [];
            }

            queue.Add(arguments);
        }
    }

    private async Task PingLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                await SendTextAsync("{\"type\":6}" + RecordSeparator, stopping.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is going away.
        }
    }

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
}
