using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace CallServer.Tests.Push.StandIns;

/// <summary>How <see cref="FcmStandIn"/> answers the messages to one registration token.</summary>
public enum FcmAnswer
{
    /// <summary>200 <c>{"name":"projects/{p}/messages/N"}</c>.</summary>
    Accept,

    /// <summary>404 NOT_FOUND, errorCode UNREGISTERED.</summary>
    Unregistered,

    /// <summary>400 INVALID_ARGUMENT, errorCode INVALID_ARGUMENT.</summary>
    InvalidArgument,

    /// <summary>429 RESOURCE_EXHAUSTED, errorCode QUOTA_EXCEEDED, <c>retry-after: 11</c>.</summary>
    QuotaExceeded,

    /// <summary>503 UNAVAILABLE, errorCode UNAVAILABLE.</summary>
    Unavailable,

    /// <summary>Never answers until the client gives up (or the stand-in stops).</summary>
    Hang,
}

/// <summary>How the stand-in's token endpoint answers a valid grant.</summary>
public enum FcmTokenAnswer
{
    Issue,

    /// <summary>400 <c>{"error":"invalid_grant"}</c>.</summary>
    InvalidGrant,

    /// <summary>503 <c>{"error":"temporarily_unavailable"}</c>.</summary>
    Unavailable,
}

/// <summary>A JWT-bearer grant as the stand-in's token endpoint received it.</summary>
public sealed record FcmTokenRequest(string Protocol, string? GrantType, Jwt? Assertion, string? IssuedToken, IReadOnlyList<string> Problems);

/// <summary>One <c>messages:send</c> as the stand-in received it.</summary>
public sealed record FcmSendRequest(
    string Protocol,
    string ProjectId,
    string? Bearer,
    string? Token,
    IReadOnlyDictionary<string, string> Data,
    string? Priority,
    string? Ttl,
    string? CollapseKey,
    string Body,
    IReadOnlyList<string> Problems);

/// <summary>
/// A loopback FCM HTTP v1 and Google OAuth2 token endpoint (h2c). <c>POST /token</c> checks the
/// JWT-bearer grant the way Google does (RS256 assertion verified with the service account's public
/// key, <c>kid</c>, <c>iss</c> = client_email, <c>aud</c> = <see cref="GoogleTokenAudience"/>, the
/// firebase.messaging scope, <c>iat</c>/<c>exp</c>) and issues an access token; <c>POST /v1/projects/{id}/messages:send</c> checks that token, the project,
/// the Android high priority, ttl and string data, and answers as told per registration token with
/// FCM's own error bodies.
/// </summary>
public sealed partial class FcmStandIn : IAsyncDisposable
{
    public const string MessagingScope = "https://www.googleapis.com/auth/firebase.messaging";

    /// <summary>
    /// The <c>aud</c> Google requires of a service account's assertion ("always
    /// https://oauth2.googleapis.com/token"). Google.Apis.Auth writes it whatever the token server URL
    /// it posts to, so a stand-in reached at another URL receives this audience too.
    /// </summary>
    public const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";

    private readonly RSA serviceAccountPublicKey;
    private readonly string clientEmail;
    private readonly string keyId;
    private readonly string projectId;
    private readonly ConcurrentDictionary<string, FcmAnswer> answers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> issuedTokens = new(StringComparer.Ordinal);
    private int tokensIssued;
    private int messagesSent;
    private LoopbackHttp2Server? server;

    private FcmStandIn(RSA serviceAccountPublicKey, string clientEmail, string keyId, string projectId)
    {
        this.serviceAccountPublicKey = serviceAccountPublicKey;
        this.clientEmail = clientEmail;
        this.keyId = keyId;
        this.projectId = projectId;
    }

    public RequestLog<FcmTokenRequest> TokenRequests { get; } = new();

    public RequestLog<FcmSendRequest> SendRequests { get; } = new();

    /// <summary>To configure as <c>Push:Fcm:Endpoint</c>.</summary>
    public string Endpoint => server!.BaseAddress.ToString().TrimEnd('/');

    /// <summary>To configure as <c>Push:Fcm:TokenEndpoint</c>.</summary>
    public string TokenEndpoint => $"{Endpoint}/token";

    public FcmTokenAnswer TokenAnswer { get; set; } = FcmTokenAnswer.Issue;

    public static async Task<FcmStandIn> StartAsync(RSAParameters serviceAccountPublicKey, string clientEmail, string keyId, string projectId)
    {
        var standIn = new FcmStandIn(RSA.Create(serviceAccountPublicKey), clientEmail, keyId, projectId);
        standIn.server = await LoopbackHttp2Server.StartAsync(standIn.HandleAsync);
        return standIn;
    }

    public void Answer(string registrationToken, FcmAnswer answer) => answers[registrationToken] = answer;

    private Task HandleAsync(HttpContext context) => context.Request.Path.Value switch
    {
        "/token" => HandleTokenAsync(context),
        _ => HandleSendAsync(context),
    };

    private async Task HandleTokenAsync(HttpContext context)
    {
        var problems = new List<string>();
        if (context.Request.Protocol != "HTTP/2")
        {
            problems.Add($"protocol {context.Request.Protocol}");
        }

        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync() : null;
        var grantType = form?["grant_type"].ToString();
        if (grantType != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            problems.Add($"grant_type {grantType}");
        }

        var assertion = Jwt.TryParse(form?["assertion"].ToString() ?? string.Empty);
        problems.AddRange(AssertionProblems(assertion));

        if (problems.Count > 0)
        {
            TokenRequests.Add(new FcmTokenRequest(context.Request.Protocol, grantType, assertion, null, problems));
            await WriteJsonAsync(context, 400, new { error = "invalid_grant", error_description = string.Join("; ", problems) });
            return;
        }

        switch (TokenAnswer)
        {
            case FcmTokenAnswer.InvalidGrant:
                TokenRequests.Add(new FcmTokenRequest(context.Request.Protocol, grantType, assertion, null, problems));
                await WriteJsonAsync(context, 400, new { error = "invalid_grant", error_description = "Invalid JWT Signature." });
                return;
            case FcmTokenAnswer.Unavailable:
                TokenRequests.Add(new FcmTokenRequest(context.Request.Protocol, grantType, assertion, null, problems));
                await WriteJsonAsync(context, 503, new { error = "temporarily_unavailable" });
                return;
        }

        var accessToken = $"ya29.stand-in-{Interlocked.Increment(ref tokensIssued)}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        issuedTokens[accessToken] = true;
        TokenRequests.Add(new FcmTokenRequest(context.Request.Protocol, grantType, assertion, accessToken, problems));
        await WriteJsonAsync(context, 200, new { access_token = accessToken, expires_in = 3599, token_type = "Bearer" });
    }

    private IEnumerable<string> AssertionProblems(Jwt? assertion)
    {
        if (assertion is null)
        {
            yield return "assertion missing or malformed";
            yield break;
        }

        if (!assertion.VerifiesRs256(serviceAccountPublicKey))
        {
            yield return "assertion signature does not verify with the service account's public key";
        }

        if (assertion.HeaderString("kid") != keyId)
        {
            yield return $"assertion kid {assertion.HeaderString("kid")}";
        }

        if (assertion.ClaimString("iss") != clientEmail)
        {
            yield return $"assertion iss {assertion.ClaimString("iss")}";
        }

        if (assertion.ClaimString("aud") != GoogleTokenAudience)
        {
            yield return $"assertion aud {assertion.ClaimString("aud")}";
        }

        if (assertion.ClaimString("scope")?.Split(' ').Contains(MessagingScope) != true)
        {
            yield return $"assertion scope {assertion.ClaimString("scope")}";
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (assertion.ClaimNumber("iat") is not { } iat || iat > now + 60 || iat < now - 300
            || assertion.ClaimNumber("exp") is not { } exp || exp <= now || exp > iat + 3600)
        {
            yield return "assertion iat/exp";
        }
    }

    private async Task HandleSendAsync(HttpContext context)
    {
        var problems = new List<string>();
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var match = SendPath().Match(context.Request.Path.Value ?? string.Empty);
        var projectId = match.Success ? match.Groups["project"].Value : string.Empty;
        if (context.Request.Protocol != "HTTP/2")
        {
            problems.Add($"protocol {context.Request.Protocol}");
        }

        if (context.Request.Method != "POST" || !match.Success)
        {
            // What Google's front end answers for a path no API serves: HTML, no API error.
            context.Response.StatusCode = 404;
            context.Response.ContentType = "text/html; charset=UTF-8";
            await context.Response.WriteAsync("<!DOCTYPE html><title>Error 404 (Not Found)!!1</title><p>The requested URL was not found on this server.");
            return;
        }

        if (projectId != this.projectId)
        {
            problems.Add($"project {projectId}");
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var bearer = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : null;
        var authenticated = bearer is not null && issuedTokens.ContainsKey(bearer);

        var (token, data, priority, ttl, collapseKey) = ReadMessage(body, problems);
        var request = new FcmSendRequest(context.Request.Protocol, projectId, bearer, token, data, priority, ttl, collapseKey, body, problems);
        SendRequests.Add(request);

        if (!authenticated)
        {
            problems.Add("bearer token not issued by the token endpoint");
            await WriteErrorAsync(context, 401, "UNAUTHENTICATED", "THIRD_PARTY_AUTH_ERROR", "Request had invalid authentication credentials.");
            return;
        }

        if (problems.Count > 0)
        {
            await WriteErrorAsync(context, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", string.Join("; ", problems));
            return;
        }

        switch (answers.GetValueOrDefault(token!, FcmAnswer.Accept))
        {
            case FcmAnswer.Accept:
                await WriteJsonAsync(context, 200, new { name = $"projects/{projectId}/messages/{Interlocked.Increment(ref messagesSent)}" });
                break;
            case FcmAnswer.Unregistered:
                await WriteErrorAsync(context, 404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found.");
                break;
            case FcmAnswer.InvalidArgument:
                await WriteErrorAsync(context, 400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token");
                break;
            case FcmAnswer.QuotaExceeded:
                context.Response.Headers.RetryAfter = "11";
                await WriteErrorAsync(context, 429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED", "Quota exceeded for quota metric 'Send requests'.");
                break;
            case FcmAnswer.Unavailable:
                await WriteErrorAsync(context, 503, "UNAVAILABLE", "UNAVAILABLE", "The service is currently unavailable.");
                break;
            case FcmAnswer.Hang:
                using (var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server!.Stopping))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, either.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The client gave up.
                    }
                }

                break;
        }
    }

    private static (string? Token, Dictionary<string, string> Data, string? Priority, string? Ttl, string? CollapseKey) ReadMessage(string body, List<string> problems)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(body);
            var message = document.RootElement.GetProperty("message");
            var token = message.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (string.IsNullOrEmpty(token))
            {
                problems.Add("message.token missing");
            }

            if (message.TryGetProperty("data", out var d))
            {
                foreach (var field in d.EnumerateObject())
                {
                    if (IsReservedDataKey(field.Name))
                    {
                        problems.Add($"Invalid data payload key: {field.Name}");
                    }

                    if (field.Value.ValueKind != JsonValueKind.String)
                    {
                        problems.Add($"data.{field.Name} is not a string");
                        continue;
                    }

                    data[field.Name] = field.Value.GetString()!;
                }
            }

            string? priority = null, ttl = null, collapseKey = null;
            if (message.TryGetProperty("android", out var android))
            {
                priority = android.TryGetProperty("priority", out var p) ? p.GetString() : null;
                ttl = android.TryGetProperty("ttl", out var l) ? l.GetString() : null;
                collapseKey = android.TryGetProperty("collapse_key", out var c) ? c.GetString() : null;
            }

            if (priority != "HIGH")
            {
                problems.Add($"android.priority {priority}");
            }

            if (ttl is null || !TtlFormat().IsMatch(ttl))
            {
                problems.Add($"android.ttl {ttl}");
            }

            return (token, data, priority, ttl, collapseKey);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            problems.Add($"body: {e.GetType().Name}");
            return (null, data, null, null, null);
        }
    }

    /// <summary>FCM refuses these data keys: "from", "message_type", and any starting with "google" or "gcm".</summary>
    private static bool IsReservedDataKey(string key) =>
        key is "from" or "message_type"
        || key.StartsWith("google", StringComparison.Ordinal)
        || key.StartsWith("gcm", StringComparison.Ordinal);

    private static Task WriteErrorAsync(HttpContext context, int code, string status, string? errorCode, string message)
    {
        object[] details = errorCode is null
            ? []
            : [new Dictionary<string, string> { ["@type"] = "type.googleapis.com/google.firebase.fcm.v1.FcmError", ["errorCode"] = errorCode }];
        return WriteJsonAsync(context, code, new { error = new { code, message, status, details } });
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    [GeneratedRegex("^/v1/projects/(?<project>[^/]+)/messages:send$")]
    private static partial Regex SendPath();

    [GeneratedRegex("^[0-9]+(\\.[0-9]{1,9})?s$")]
    private static partial Regex TtlFormat();

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        serviceAccountPublicKey.Dispose();
    }
}
