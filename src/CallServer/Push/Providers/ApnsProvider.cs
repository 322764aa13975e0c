using System.Globalization;
using System.Net.Http.Headers;
using CallServer.Configuration;
using CallServer.Observability.Logging;
using CallServer.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Push.Providers;

/// <summary>
/// Apple Push Notification service, VoIP pushes (<c>POST {Endpoint}/3/device/{token}</c> over HTTP/2,
/// token-based authentication). The payload is the message's fields as a JSON object.
/// </summary>
public sealed class ApnsProvider(
    IOptions<PushOptions> options,
    PushHttpPipeline http,
    TimeProvider clock,
    ILogger<ApnsProvider> logger) : IPushProvider, IDisposable
{
    private readonly ApnsPushOptions options = options.Value.Apns;
    private readonly string endpoint = options.Value.Apns.Endpoint.TrimEnd('/');
    private readonly HttpClient http = http.CreateClient(HttpVersionPolicy.RequestVersionOrHigher);
    private readonly ApnsProviderToken? token = CreateToken(options.Value.Apns, clock, logger);

    public PushPlatform Platform => PushPlatform.Apns;

    public bool IsConfigured => token is not null;

    public async Task<PushOutcome> SendAsync(PushRegistration registration, PushMessage message, CancellationToken cancellationToken)
    {
        if (token is null)
        {
            return PushLog.Outcome(logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "APNs is not configured"));
        }

        if (string.IsNullOrWhiteSpace(registration.Token))
        {
            return PushLog.Outcome(logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "The registration has no device token"));
        }

        var jwt = token.Current;
        using var request = CreateRequest(registration, message, jwt);
        PushOutcome outcome;
        try
        {
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            outcome = ApnsOutcomes.From((int)response.StatusCode, body, RetryAfterHeader.From(response.Headers, clock.GetUtcNow()));
        }
        catch (Exception e) when (TransportFailure.Outcome(e, cancellationToken) is { } failure)
        {
            outcome = failure;
        }

        if (outcome is { StatusCode: 403, Reason: "ExpiredProviderToken" })
        {
            PushLog.ApnsProviderTokenExpired(logger);
            token.Expired(jwt);
            outcome = outcome with { Kind = PushOutcomeKind.Retry };
        }

        return PushLog.Outcome(logger, registration, message, outcome);
    }

    private HttpRequestMessage CreateRequest(PushRegistration registration, PushMessage message, string jwt)
    {
        // A missed call is a visible notification, to the app's regular token and topic: a VoIP push must report a
        // call to CallKit (issue 20). The call pushes go to the PushKit token, as VoIP pushes.
        var alert = message is MissedCallPush;
        var deviceToken = alert ? registration.AlertToken! : registration.Token!;
        var request = new HttpRequestMessage(HttpMethod.Post, $"{endpoint}/3/device/{Uri.EscapeDataString(deviceToken)}")
        {
            Content = new ByteArrayContent(alert ? PushPayload.ToApnsAlert((MissedCallPush)message) : PushPayload.ToJsonObject(message)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("bearer", jwt);
        var bundleId = registration.AppId ?? options.Topic!;
        request.Headers.TryAddWithoutValidation("apns-push-type", alert ? "alert" : "voip");
        request.Headers.TryAddWithoutValidation("apns-topic", alert ? AlertTopic(bundleId) : VoipTopic(bundleId));
        request.Headers.TryAddWithoutValidation("apns-priority", "10");
        request.Headers.TryAddWithoutValidation("apns-expiration", message.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation("apns-collapse-id", message.CollapseKey);
        return request;
    }

    /// <summary>The provider token when APNs is configured (null when it is not); says at start which.</summary>
    private static ApnsProviderToken? CreateToken(ApnsPushOptions options, TimeProvider clock, ILogger logger)
    {
        if (!options.IsConfigured)
        {
            PushLog.ProviderNotConfigured(logger, PushPlatform.Apns);
            return null;
        }

        var token = new ApnsProviderToken(ApnsSigningKey.Load(options), options.TeamId!, options.KeyId!, clock, logger);
        PushLog.ProviderConfigured(logger, PushPlatform.Apns, options.Endpoint.TrimEnd('/'));
        return token;
    }

    /// <summary>Alert pushes go to the app's bundle id itself (a configured <c>.voip</c> topic without its suffix).</summary>
    private static string AlertTopic(string bundleId) =>
        bundleId.EndsWith(".voip", StringComparison.Ordinal) ? bundleId[..^".voip".Length] : bundleId;

    /// <summary>VoIP pushes go to the <c>.voip</c> topic of the app's bundle id.</summary>
    private static string VoipTopic(string bundleId) =>
        bundleId.EndsWith(".voip", StringComparison.Ordinal) ? bundleId : bundleId + ".voip";

    public void Dispose()
    {
        token?.Dispose();
        http.Dispose();
    }
}
