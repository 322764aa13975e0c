using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CallServer.Tests.Webhooks;

/// <summary>How <see cref="WebhookReceiver"/> answers one request.</summary>
public abstract record WebhookAnswer
{
    /// <summary>Answers with this status at once.</summary>
    public sealed record Status(int Code) : WebhookAnswer;

    /// <summary>Never answers: waits until the sender gives up (or the receiver stops).</summary>
    public sealed record Hang : WebhookAnswer;

    public static WebhookAnswer With(int code) => new Status(code);

    public static readonly WebhookAnswer Hangs = new Hang();
}

/// <summary>One request as <see cref="WebhookReceiver"/> got it, what it found wrong with it, and how it answered.</summary>
public sealed record ReceivedWebhook(
    string Endpoint,
    string? WebhookId,
    string? UserAgent,
    string? ContentType,
    string Body,
    JsonElement? Json,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<string> Problems,
    WebhookAnswer Answer)
{
    public string? Type => Json?.TryGetProperty("type", out var type) == true ? type.GetString() : null;

    public JsonElement Data => Json!.Value.GetProperty("data");

    public string? CallId => Json?.TryGetProperty("data", out var data) == true && data.TryGetProperty("callId", out var id) ? id.GetString() : null;

    public bool Delivered => Answer is WebhookAnswer.Status { Code: >= 200 and < 300 };
}

/// <summary>
/// A webhook receiver on 127.0.0.1 (real Kestrel, HTTP/1.1): one path per endpoint, each with its own
/// Standard Webhooks secret. It verifies every request on its own (HMAC-SHA256 over
/// <c>id.timestamp.body</c> with System.Security.Cryptography, a timestamp within 5 minutes, the headers, the
/// body's shape), records every request in order, and answers 200 unless told otherwise for the events of a
/// caller: <see cref="Plan"/> queues answers (a status, or hanging) for one caller and event type.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    private readonly WebApplication app;
    private readonly Dictionary<string, byte[]> secrets;
    private readonly ConcurrentDictionary<(string Endpoint, string Caller, string Type), ConcurrentQueue<WebhookAnswer>> plans = new();
    private readonly Lock gate = new();
    private readonly List<ReceivedWebhook> received = [];
    private readonly CancellationTokenSource stopping = new();
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WebhookReceiver(WebApplication app, Dictionary<string, byte[]> secrets)
    {
        this.app = app;
        this.secrets = secrets;
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request so far, in the order they arrived.</summary>
    public IReadOnlyList<ReceivedWebhook> All
    {
        get
        {
            lock (gate)
            {
                return [.. received];
            }
        }
    }

    /// <summary>The URL of an endpoint (a path of this receiver).</summary>
    public string Url(string endpoint) => new Uri(BaseAddress, endpoint).ToString();

    /// <summary>A new Standard Webhooks secret: <c>whsec_</c> + base64 of 32 random bytes.</summary>
    public static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>Starts a receiver with one path per endpoint name, each verified with its secret.</summary>
    public static async Task<WebhookReceiver> StartAsync(IReadOnlyDictionary<string, string> secretsByEndpoint)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, secretsByEndpoint.ToDictionary(p => p.Key, p => Convert.FromBase64String(p.Value["whsec_".Length..])));
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return receiver;
    }

    /// <summary>The next requests of <paramref name="type"/> for calls by <paramref name="caller"/> to <paramref name="endpoint"/> get these answers, in turn; then 200.</summary>
    public void Plan(string endpoint, string caller, string type, params WebhookAnswer[] answers)
    {
        var queue = plans.GetOrAdd((endpoint, caller, type), _ => new ConcurrentQueue<WebhookAnswer>());
        foreach (var answer in answers)
        {
            queue.Enqueue(answer);
        }
    }

    /// <summary>The requests of <paramref name="endpoint"/> for <paramref name="callId"/>, in order.</summary>
    public IReadOnlyList<ReceivedWebhook> Of(string endpoint, string callId) =>
        [.. All.Where(w => w.Endpoint == endpoint && w.CallId == callId)];

    /// <summary>Waits until the requests received so far satisfy <paramref name="condition"/>; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<IReadOnlyList<ReceivedWebhook>> WaitUntilAsync(Func<IReadOnlyList<ReceivedWebhook>, bool> condition, string description, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        using var deadline = new CancellationTokenSource(limit);
        while (true)
        {
            Task next;
            IReadOnlyList<ReceivedWebhook> now;
            lock (gate)
            {
                next = changed.Task;
                now = [.. received];
            }

            if (condition(now))
            {
                return now;
            }

            try
            {
                await next.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{description}: not within {limit.TotalSeconds:0.#} s; received: {string.Join(", ", now.Select(w => $"{w.Endpoint} {w.Type} {w.CallId} {w.Answer}"))}");
            }
        }
    }

    /// <summary>Waits until <paramref name="endpoint"/> got (answered 2xx) the <paramref name="types"/> of <paramref name="callId"/>, each at least once.</summary>
    public Task<IReadOnlyList<ReceivedWebhook>> WaitForDeliveredAsync(string endpoint, string callId, IReadOnlyCollection<string> types, TimeSpan? timeout = null) =>
        WaitUntilAsync(
            all => types.All(type => all.Any(w => w.Endpoint == endpoint && w.CallId == callId && w.Type == type && w.Delivered)),
            $"{endpoint} got {string.Join(", ", types)} of call {callId}",
            timeout);

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var endpoint = request.Path.Value?.Trim('/') ?? string.Empty;
        var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync();
        var problems = new List<string>();
        var webhookId = Header(request, "webhook-id");
        var json = ParseBody(body, problems);
        Verify(endpoint, request, webhookId, body, problems);

        var caller = json is { } parsed && parsed.TryGetProperty("data", out var data) && data.TryGetProperty("caller", out var c) ? c.GetString() ?? string.Empty : string.Empty;
        var type = json?.TryGetProperty("type", out var t) == true ? t.GetString() ?? string.Empty : string.Empty;
        WebhookAnswer answer = problems.Count > 0 ? WebhookAnswer.With(401) : WebhookAnswer.With(200);
        if (problems.Count == 0 && plans.TryGetValue((endpoint, caller, type), out var planned) && planned.TryDequeue(out var next))
        {
            answer = next;
        }

        Record(new ReceivedWebhook(endpoint, webhookId, Header(request, "user-agent"), Header(request, "content-type"), body, json, DateTimeOffset.UtcNow, problems, answer));
        switch (answer)
        {
            case WebhookAnswer.Status status:
                context.Response.StatusCode = status.Code;
                break;
            case WebhookAnswer.Hang:
                using (var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, either.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The sender gave up.
                    }
                }

                break;
        }
    }

    private void Verify(string endpoint, HttpRequest request, string? webhookId, string body, List<string> problems)
    {
        if (!secrets.TryGetValue(endpoint, out var key))
        {
            problems.Add($"unknown endpoint '{endpoint}'");
            return;
        }

        if (request.Method != "POST")
        {
            problems.Add($"method {request.Method}");
        }

        if (string.IsNullOrEmpty(webhookId))
        {
            problems.Add("no webhook-id");
        }

        var timestampText = Header(request, "webhook-timestamp");
        if (!long.TryParse(timestampText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            problems.Add("no webhook-timestamp in unix seconds");
        }
        else if ((DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > Tolerance)
        {
            problems.Add("webhook-timestamp more than 5 minutes away");
        }

        var expected = Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{webhookId}.{timestampText}.{body}")));
        var signatures = (Header(request, "webhook-signature") ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!signatures.Any(s => s.StartsWith("v1,", StringComparison.Ordinal) && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected))))
        {
            problems.Add("no webhook-signature matches");
        }

        if (Header(request, "content-type")?.StartsWith("application/json", StringComparison.Ordinal) != true)
        {
            problems.Add($"content-type {Header(request, "content-type")}");
        }
    }

    private static JsonElement? ParseBody(string body, List<string> problems)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement.Clone();
            var names = root.ValueKind == JsonValueKind.Object ? root.EnumerateObject().Select(p => p.Name).Order().ToArray() : [];
            if (!names.SequenceEqual(["data", "timestamp", "type"]))
            {
                problems.Add($"body has [{string.Join(", ", names)}], not exactly type, timestamp, data");
            }

            return root;
        }
        catch (JsonException)
        {
            problems.Add("body is not JSON");
            return null;
        }
    }

    private void Record(ReceivedWebhook webhook)
    {
        lock (gate)
        {
            received.Add(webhook);
            changed.TrySetResult();
            changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var value) ? value.ToString() : null;

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        using (var within = new CancellationTokenSource(TimeSpan.FromSeconds(2)))
        {
            await app.StopAsync(within.Token);
        }

        await app.DisposeAsync();
        stopping.Dispose();
    }
}
