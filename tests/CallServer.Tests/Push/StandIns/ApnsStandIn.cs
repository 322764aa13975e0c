using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace CallServer.Tests.Push.StandIns;

/// <summary>How <see cref="ApnsStandIn"/> answers the pushes to one device token.</summary>
public enum ApnsAnswer
{
    /// <summary>200 with an <c>apns-id</c>.</summary>
    Accept,

    /// <summary>410 <c>{"reason":"Unregistered"}</c>.</summary>
    Unregistered,

    /// <summary>400 <c>{"reason":"BadDeviceToken"}</c>.</summary>
    BadDeviceToken,

    /// <summary>429 <c>{"reason":"TooManyRequests"}</c> with <c>retry-after: 7</c>.</summary>
    TooManyRequests,

    /// <summary>500 <c>{"reason":"InternalServerError"}</c>.</summary>
    InternalServerError,

    /// <summary>400 <c>{"reason":"PayloadEmpty"}</c>: a refusal that is neither gone nor worth a retry.</summary>
    PayloadEmpty,

    /// <summary>403 <c>{"reason":"ExpiredProviderToken"}</c>.</summary>
    ExpiredProviderToken,

    /// <summary>Never answers: the stream stays open until the client gives up (or the stand-in stops).</summary>
    Hang,
}

/// <summary>One push as <see cref="ApnsStandIn"/> received it, and what it found wrong with it.</summary>
public sealed record ApnsRequest(
    string Protocol,
    string Method,
    string Path,
    string DeviceToken,
    IReadOnlyDictionary<string, string> Headers,
    string Jwt,
    string Body,
    IReadOnlyList<string> Problems)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Payload => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>
/// A loopback APNs (h2c): checks what Apple checks of a VoIP push with token-based authentication
/// (ES256 JWT verified with the public key of the test's key pair, <c>kid</c>, <c>iss</c>, a fresh
/// <c>iat</c>, the apns-* headers, HTTP/2, a JSON object body), records every request and answers as
/// told per device token (<see cref="ApnsAnswer.Accept"/> by default). A request with problems is
/// answered as Apple would (403 InvalidProviderToken, 400 with the reason) and its problems recorded.
/// </summary>
public sealed class ApnsStandIn : IAsyncDisposable
{
    private readonly ECDsa publicKey;
    private readonly string keyId;
    private readonly string teamId;
    private readonly ConcurrentDictionary<string, ApnsAnswer> answers = new(StringComparer.Ordinal);
    private LoopbackHttp2Server? server;

    private ApnsStandIn(ECDsa publicKey, string keyId, string teamId)
    {
        this.publicKey = publicKey;
        this.keyId = keyId;
        this.teamId = teamId;
    }

    public RequestLog<ApnsRequest> Requests { get; } = new();

    /// <summary>The endpoint to configure as <c>Push:Apns:Endpoint</c>.</summary>
    public string Endpoint => server!.BaseAddress.ToString().TrimEnd('/');

    public static async Task<ApnsStandIn> StartAsync(ECParameters publicKey, string keyId, string teamId)
    {
        var standIn = new ApnsStandIn(ECDsa.Create(publicKey), keyId, teamId);
        standIn.server = await LoopbackHttp2Server.StartAsync(standIn.HandleAsync);
        return standIn;
    }

    public void Answer(string deviceToken, ApnsAnswer answer) => answers[deviceToken] = answer;

    private async Task HandleAsync(HttpContext context)
    {
        var request = await ReadAsync(context.Request);
        Requests.Add(request);
        if (request.Problems.Count > 0)
        {
            var jwtProblem = request.Problems.Any(problem => problem.StartsWith("jwt", StringComparison.Ordinal));
            await WriteAsync(context, jwtProblem ? 403 : 400, jwtProblem ? "InvalidProviderToken" : request.Problems[0]);
            return;
        }

        switch (answers.GetValueOrDefault(request.DeviceToken, ApnsAnswer.Accept))
        {
            case ApnsAnswer.Accept:
                context.Response.StatusCode = 200;
                context.Response.Headers["apns-id"] = Guid.NewGuid().ToString("D").ToUpperInvariant();
                break;
            case ApnsAnswer.Unregistered:
                await WriteAsync(context, 410, "Unregistered", timestamp: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                break;
            case ApnsAnswer.BadDeviceToken:
                await WriteAsync(context, 400, "BadDeviceToken");
                break;
            case ApnsAnswer.TooManyRequests:
                context.Response.Headers.RetryAfter = "7";
                await WriteAsync(context, 429, "TooManyRequests");
                break;
            case ApnsAnswer.InternalServerError:
                await WriteAsync(context, 500, "InternalServerError");
                break;
            case ApnsAnswer.PayloadEmpty:
                await WriteAsync(context, 400, "PayloadEmpty");
                break;
            case ApnsAnswer.ExpiredProviderToken:
                await WriteAsync(context, 403, "ExpiredProviderToken");
                break;
            case ApnsAnswer.Hang:
                await HangAsync(context);
                break;
        }
    }

    private async Task HangAsync(HttpContext context)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server!.Stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token);
        }
        catch (OperationCanceledException)
        {
            // The client gave up (or the stand-in stops): nothing to answer.
        }
    }

    private static async Task WriteAsync(HttpContext context, int status, string reason, long? timestamp = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        object body = timestamp is { } ms ? new { reason, timestamp = ms } : new { reason };
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    private async Task<ApnsRequest> ReadAsync(HttpRequest request)
    {
        var problems = new List<string>();
        var headers = request.Headers.ToDictionary(header => header.Key.ToLowerInvariant(), header => header.Value.ToString(), StringComparer.Ordinal);
        var body = await new StreamReader(request.Body).ReadToEndAsync();
        var path = request.Path.Value ?? string.Empty;
        var deviceToken = path.StartsWith("/3/device/", StringComparison.Ordinal) ? Uri.UnescapeDataString(path["/3/device/".Length..]) : string.Empty;

        if (request.Protocol != "HTTP/2")
        {
            problems.Add($"protocol {request.Protocol}");
        }

        if (request.Method != "POST" || deviceToken.Length == 0)
        {
            problems.Add("BadPath");
        }

        var authorization = headers.GetValueOrDefault("authorization") ?? string.Empty;
        var jwt = authorization.StartsWith("bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["bearer ".Length..] : string.Empty;
        problems.AddRange(JwtProblems(jwt));

        // A VoIP push goes to the app's .voip topic; an alert push (a missed call) to the bundle id itself, with aps.alert.
        var pushType = headers.GetValueOrDefault("apns-push-type");
        if (pushType is not ("voip" or "alert"))
        {
            problems.Add("InvalidPushType");
        }

        if (headers.GetValueOrDefault("apns-topic") is not { Length: > 0 } topic || topic.EndsWith(".voip", StringComparison.Ordinal) != (pushType == "voip"))
        {
            problems.Add("BadTopic");
        }

        if (pushType == "alert" && !HasAlert(body))
        {
            problems.Add("PayloadEmpty: an alert push without aps.alert");
        }

        if (headers.GetValueOrDefault("apns-priority") != "10")
        {
            problems.Add("BadPriority");
        }

        if (!long.TryParse(headers.GetValueOrDefault("apns-expiration"), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            problems.Add("BadExpirationDate");
        }

        if (headers.GetValueOrDefault("apns-collapse-id") is not { Length: > 0 and <= 64 })
        {
            problems.Add("BadCollapseId");
        }

        if (!IsJsonObject(body))
        {
            problems.Add("PayloadEmpty");
        }

        return new ApnsRequest(request.Protocol, request.Method, path, deviceToken, headers, jwt, body, problems);
    }

    private IEnumerable<string> JwtProblems(string compact)
    {
        if (Jwt.TryParse(compact) is not { } jwt)
        {
            yield return "jwt missing or malformed";
            yield break;
        }

        if (!jwt.VerifiesEs256(publicKey))
        {
            yield return "jwt signature does not verify with the team's public key";
        }

        if (jwt.HeaderString("kid") != keyId)
        {
            yield return $"jwt kid {jwt.HeaderString("kid")}";
        }

        if (jwt.ClaimString("iss") != teamId)
        {
            yield return $"jwt iss {jwt.ClaimString("iss")}";
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (jwt.ClaimNumber("iat") is not { } iat || iat > now + 60 || iat < now - 3600)
        {
            yield return "jwt iat not fresh";
        }
    }

    private static bool HasAlert(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("aps", out var aps) && aps.TryGetProperty("alert", out var alert) && alert.ValueKind is JsonValueKind.Object or JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsJsonObject(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        publicKey.Dispose();
    }
}
