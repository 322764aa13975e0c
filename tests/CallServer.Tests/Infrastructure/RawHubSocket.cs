using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace CallServer.Tests.Infrastructure;

/// <summary>
/// A bare WebSocket on <c>/hubs/calls</c> that does the JSON handshake and then sends whatever text a
/// test gives it, for the frames the official client would never send (oversized or malformed ones).
/// It reads only to learn how the server closed the connection. Everything else goes through
/// <see cref="HubTestClient"/>.
/// </summary>
public sealed class RawHubSocket : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';

    private readonly ClientWebSocket socket;
    private readonly CancellationTokenSource stopping = new();
    private readonly TaskCompletionSource<string?> closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task receiving = Task.CompletedTask;

    private RawHubSocket(ClientWebSocket socket) => this.socket = socket;

    /// <summary>Completes when the server closed the connection; the value is its close message's error, if any.</summary>
    public Task<string?> Closed => closed.Task;

    /// <summary>Opens <c>/hubs/calls?access_token=…</c> and does the handshake.</summary>
    public static async Task<RawHubSocket> ConnectAsync(Uri serverAddress, string token)
    {
        var scheme = serverAddress.Scheme == "https" ? "wss" : "ws";
        var uri = new Uri($"{scheme}://{serverAddress.Authority}/hubs/calls?access_token={Uri.EscapeDataString(token)}");
        var raw = new RawHubSocket(new ClientWebSocket());
        List<string> records;
        using var timeout = new CancellationTokenSource(HubTestClient.DefaultTimeout);
        try
        {
            await raw.socket.ConnectAsync(uri, timeout.Token);
            await raw.SendAsync("{\"protocol\":\"json\",\"version\":1}");
            (records, _) = await raw.ReadAsync(timeout.Token);
            using var handshake = JsonDocument.Parse(records[0]);
            if (handshake.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException("handshake refused: " + error.GetString());
            }
        }
        catch
        {
            await raw.DisposeAsync();
            throw;
        }

        raw.receiving = Task.Run(() => raw.ReceiveUntilClosedAsync(records[1..]));
        return raw;
    }

    /// <summary>Sends <paramref name="json"/> as one hub message (the record separator is added).</summary>
    public Task SendAsync(string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, endOfMessage: true, stopping.Token);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        socket.Abort();
        try
        {
            await receiving.WaitAsync(TimeSpan.FromSeconds(3));
        }
        catch (Exception exception) when (exception is TimeoutException or OperationCanceledException or WebSocketException)
        {
            // Going away anyway.
        }

        socket.Dispose();
        stopping.Dispose();
    }

    /// <summary>Reads one WebSocket message and splits it into records; Closing is true when the server closed the socket.</summary>
    private async Task<(List<string> Records, bool Closing)> ReadAsync(CancellationToken cancellationToken)
    {
        using var message = new MemoryStream();
        var buffer = new byte[16 * 1024];
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return ([], true);
            }

            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        var records = Encoding.UTF8.GetString(message.ToArray()).Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries);
        return ([.. records], false);
    }

    /// <summary>Reads until the close message or the end of the socket, starting with <paramref name="records"/> already read.</summary>
    private async Task ReceiveUntilClosedAsync(List<string> records)
    {
        string? error = null;
        try
        {
            while (true)
            {
                foreach (var record in records)
                {
                    using var document = JsonDocument.Parse(record);
                    if (document.RootElement.GetProperty("type").GetInt32() == 7)
                    {
                        error = document.RootElement.TryGetProperty("error", out var e) ? e.GetString() : null;
                        return;
                    }
                }

                (records, var closing) = await ReadAsync(stopping.Token);
                if (closing)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            error = stopping.IsCancellationRequested ? null : exception.Message;
        }
        finally
        {
            closed.TrySetResult(error);
        }
    }
}
