using System.Globalization;
using System.Net.Http.Headers;
using CallServer.Configuration;
using CallServer.Observability.Logging;
using Microsoft.Extensions.Options;
using CallServer.Ports;

namespace CallServer.Push.Providers;

/// <summary>
/// Apple Push Notification service, VoIP pushes (<c>POST {Endpoint}/3/device/{token}</c> over HTTP/2,
/// token-based authentication). The payload is the message's fields as a JSON object.
/// </summary>
public sealed class ApnsProvider : IPushProvider, IDisposable
{
    private readonly ApnsPushOptions _options;
    private readonly string _endpoint;
    private readonly ApnsProviderToken? _token;
    private readonly HttpClient _http;
    private readonly TimeProvider _clock;
    private readonly ILogger<ApnsProvider> _logger;

    public ApnsProvider(IOptions<PushOptions> options, PushHttpPipeline http, TimeProvider clock, ILogger<ApnsProvider> logger)
    {
        _options = options.Value.Apns;
        _endpoint = _options.Endpoint.TrimEnd('/');
        _clock = clock;
        _logger = logger;
        _http = http.CreateClient(HttpVersionPolicy.RequestVersionOrHigher);
        if (_options.IsConfigured)
        {
            _token = new ApnsProviderToken(ApnsSigningKey.Load(_options), _options.TeamId!, _options.KeyId!, clock, logger);
            PushLog.ProviderConfigured(logger, Platform, _endpoint);
        }
        else
        {
            PushLog.ProviderNotConfigured(logger, Platform);
        }
    }

    public PushPlatform Platform => PushPlatform.Apns;

    public bool IsConfigured => _token is not null;

    public async Task<PushOutcome> SendAsync(PushRegistration registration, PushMessage message, CancellationToken cancellationToken)
    {
        if (_token is null)
        {
            return PushLog.Outcome(_logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "APNs is not configured"));
        }

        if (string.IsNullOrWhiteSpace(registration.Token))
        {
            return PushLog.Outcome(_logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "The registration has no device token"));
        }

        var jwt = _token.Current;
        using var request = CreateRequest(registration, message, jwt);
        PushOutcome outcome;
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            outcome = ApnsOutcomes.From((int)response.StatusCode, body, RetryAfterHeader.From(response.Headers, _clock.GetUtcNow()));
        }
        catch (Exception e) when (TransportFailure.Outcome(e, cancellationToken) is { } failure)
        {
            outcome = failure;
        }

        if (outcome is { StatusCode: 403, Reason: "ExpiredProviderToken" })
        {
            PushLog.ApnsProviderTokenExpired(_logger);
            _token.Expired(jwt);
            outcome = outcome with { Kind = PushOutcomeKind.Retry };
        }

        return PushLog.Outcome(_logger, registration, message, outcome);
    }

    private HttpRequestMessage CreateRequest(PushRegistration registration, PushMessage message, string jwt)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{_endpoint}/3/device/{Uri.EscapeDataString(registration.Token!)}")
        {
            Content = new ByteArrayContent(PushPayload.ToJsonObject(message)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", jwt);
        request.Headers.TryAddWithoutValidation("apns-push-type", "voip");
        request.Headers.TryAddWithoutValidation("apns-topic", VoipTopic(registration.AppId ?? _options.Topic!));
        request.Headers.TryAddWithoutValidation("apns-priority", "10");
        request.Headers.TryAddWithoutValidation("apns-expiration", message.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("apns-collapse-id", message.CallId);
        return request;
    }

    /// <summary>VoIP pushes go to the <c>.voip</c> topic of the app's bundle id.</summary>
    private static string VoipTopic(string bundleId) =>
        bundleId.EndsWith(".voip", StringComparison.Ordinal) ? bundleId : bundleId + ".voip";

    public void Dispose()
    {
        _token?.Dispose();
        _http.Dispose();
    }
}
