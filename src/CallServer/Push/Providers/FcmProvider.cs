using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CallServer.Configuration;
using CallServer.Observability.Logging;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Options;
using CallServer.Ports;

namespace CallServer.Push.Providers;

/// <summary>
/// Firebase Cloud Messaging, HTTP v1 (<c>POST {Endpoint}/v1/projects/{ProjectId}/messages:send</c>): a
/// high-priority Android data message whose <c>data</c> are the message's fields as strings (see
/// <see cref="FcmData"/>), living until the message expires, collapsed per call.
/// </summary>
public sealed class FcmProvider : IPushProvider, IDisposable
{
    private readonly FcmPushOptions _options;
    private readonly string _sendUrl = string.Empty;
    private readonly ServiceAccountCredential? _credential;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly ILogger<FcmProvider> _logger;

    public FcmProvider(IOptions<PushOptions> options, PushHttpPipeline http, TimeProvider clock, ILogger<FcmProvider> logger)
    {
        _options = options.Value.Fcm;
        _clock = clock;
        _logger = logger;
        _http = http.CreateClient(HttpVersionPolicy.RequestVersionOrHigher);
        if (_options.IsConfigured)
        {
            var endpoint = _options.Endpoint.TrimEnd('/');
            _sendUrl = $"{endpoint}/v1/projects/{Uri.EscapeDataString(_options.ProjectId!)}/messages:send";
            _credential = FcmServiceAccount.Load(_options, http.CreateGoogleClientFactory());
            PushLog.ProviderConfigured(logger, Platform, endpoint);
        }
        else
        {
            PushLog.ProviderNotConfigured(logger, Platform);
        }
    }

    public PushPlatform Platform => PushPlatform.Fcm;

    public bool IsConfigured => _credential is not null;

    public async Task<PushOutcome> SendAsync(PushRegistration registration, PushMessage message, CancellationToken cancellationToken)
    {
        if (_credential is null)
        {
            return PushLog.Outcome(_logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "FCM is not configured"));
        }

        if (string.IsNullOrWhiteSpace(registration.Token))
        {
            return PushLog.Outcome(_logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "The registration has no FCM token"));
        }

        PushOutcome outcome;
        try
        {
            var accessToken = await _credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, _sendUrl) { Content = new ByteArrayContent(Body(registration.Token, message)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            outcome = FcmOutcomes.From((int)response.StatusCode, body, RetryAfterHeader.From(response.Headers, _clock.GetUtcNow()));
        }
        catch (TokenResponseException e)
        {
            outcome = AccessTokenRefused(e);
        }
        catch (Exception e) when (TransportFailure.Outcome(e, cancellationToken) is { } failure)
        {
            outcome = failure;
        }

        return PushLog.Outcome(_logger, registration, message, outcome);
    }

    /// <summary>The token endpoint refused the service account: worth a retry only when it was overloaded or failing.</summary>
    private static PushOutcome AccessTokenRefused(TokenResponseException e)
    {
        var status = e.StatusCode is { } code ? (int)code : (int?)null;
        var reason = $"access token: {e.Error?.Error ?? "no error code"}";
        return status is null or 429 or >= 500 || e.StatusCode == HttpStatusCode.RequestTimeout
            ? new PushOutcome(PushOutcomeKind.Retry, status, reason)
            : new PushOutcome(PushOutcomeKind.Failed, status, reason);
    }

    private byte[] Body(string token, PushMessage message)
    {
        var ttl = PushPayload.SecondsUntil(message.ExpiresAt, _clock.GetUtcNow(), atLeast: 1);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("message");
            writer.WriteString("token", token);
            writer.WriteStartObject("data");
            foreach (var (name, value) in FcmData.From(message))
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("android");
            writer.WriteString("priority", "HIGH");
            writer.WriteString("ttl", $"{ttl}s");
            writer.WriteString("collapse_key", message.CallId);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public void Dispose()
    {
        _http.Dispose();
    }
}
