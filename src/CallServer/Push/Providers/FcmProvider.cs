using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using CallServer.Configuration;
using CallServer.Observability.Logging;
using CallServer.Ports;
using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Microsoft.Extensions.Options;

namespace CallServer.Push.Providers;

/// <summary>
/// Firebase Cloud Messaging, HTTP v1 (<c>POST {Endpoint}/v1/projects/{ProjectId}/messages:send</c>): a
/// high-priority Android data message whose <c>data</c> are the message's fields as strings (see
/// <see cref="FcmData"/>), living until the message expires, collapsed per call.
/// </summary>
public sealed class FcmProvider(
    IOptions<PushOptions> options,
    PushHttpPipeline http,
    TimeProvider clock,
    ILogger<FcmProvider> logger) : IPushProvider, IDisposable
{
    private readonly HttpClient http = http.CreateClient(HttpVersionPolicy.RequestVersionOrHigher);
    private readonly string sendUrl = SendUrl(options.Value.Fcm);
    private readonly ServiceAccountCredential? credential = CreateCredential(options.Value.Fcm, http, logger);

    public PushPlatform Platform => PushPlatform.Fcm;

    public bool IsConfigured => credential is not null;

    public async Task<PushOutcome> SendAsync(PushRegistration registration, PushMessage message, CancellationToken cancellationToken)
    {
        if (credential is null)
        {
            return PushLog.Outcome(logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "FCM is not configured"));
        }

        if (string.IsNullOrWhiteSpace(registration.Token))
        {
            return PushLog.Outcome(logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "The registration has no FCM token"));
        }

        PushOutcome outcome;
        try
        {
            var accessToken = await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Post, sendUrl) { Content = new ByteArrayContent(Body(registration.Token, message)) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            outcome = FcmOutcomes.From((int)response.StatusCode, body, RetryAfterHeader.From(response.Headers, clock.GetUtcNow()));
        }
        catch (TokenResponseException e)
        {
            outcome = AccessTokenRefused(e);
        }
        catch (Exception e) when (TransportFailure.Outcome(e, cancellationToken) is { } failure)
        {
            outcome = failure;
        }

        return PushLog.Outcome(logger, registration, message, outcome);
    }

    /// <summary>Where messages are sent (empty when FCM is not configured).</summary>
    private static string SendUrl(FcmPushOptions options) =>
        options.IsConfigured
            ? $"{options.Endpoint.TrimEnd('/')}/v1/projects/{Uri.EscapeDataString(options.ProjectId!)}/messages:send"
            : string.Empty;

    /// <summary>The service account's credential when FCM is configured (null when it is not); says at start which.</summary>
    private static ServiceAccountCredential? CreateCredential(FcmPushOptions options, PushHttpPipeline http, ILogger logger)
    {
        if (!options.IsConfigured)
        {
            PushLog.ProviderNotConfigured(logger, PushPlatform.Fcm);
            return null;
        }

        var credential = FcmServiceAccount.Load(options, http.CreateGoogleClientFactory());
        PushLog.ProviderConfigured(logger, PushPlatform.Fcm, options.Endpoint.TrimEnd('/'));
        return credential;
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
        var ttl = PushPayload.SecondsUntil(message.ExpiresAt, clock.GetUtcNow(), atLeast: 1);
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
            writer.WriteString("collapse_key", message.CollapseKey);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    public void Dispose()
    {
        http.Dispose();
    }
}
