using System.Security.Cryptography;
using System.Text;
using CallServer.Observability.Logging;
using CallServer.Ports;
using Lib.Net.Http.WebPush;
using Lib.Net.Http.WebPush.Authentication;
using PushMessage = CallServer.Ports.PushMessage;

namespace CallServer.Push.Providers;

/// <summary>
/// Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption (RFC 8291), by
/// Lib.Net.Http.WebPush over the providers' HTTP pipeline: the message's fields as a JSON object,
/// urgency high, living until the message expires, one topic per call. Always configured (see
/// <see cref="WebPushVapidKeys"/>).
/// </summary>
public sealed class WebPushProvider : IPushProvider, IDisposable
{
    private readonly HttpClient http;
    private readonly PushServiceClient client;
    private readonly VapidAuthentication vapid;
    private readonly TimeProvider clock;
    private readonly ILogger<WebPushProvider> logger;

    public WebPushProvider(WebPushVapidKeys keys, PushHttpPipeline http, TimeProvider clock, ILogger<WebPushProvider> logger)
    {
        this.clock = clock;
        this.logger = logger;
        // Most push services speak HTTP/2; any that does not still gets the push over HTTP/1.1.
        this.http = http.CreateClient(HttpVersionPolicy.RequestVersionOrLower);
        client = new PushServiceClient(this.http) { AutoRetryAfter = false, DefaultAuthenticationScheme = VapidAuthenticationScheme.Vapid };
        vapid = new VapidAuthentication(keys.PublicKey, keys.PrivateKey) { Subject = keys.Subject, TokenCache = new VapidTokenCache(clock) };
        PushLog.ProviderConfigured(logger, Platform, keys.IsEphemeral ? "keys of this process only" : "configured keys");
    }

    public PushPlatform Platform => PushPlatform.WebPush;

    public bool IsConfigured => true;

    public async Task<PushOutcome> SendAsync(PushRegistration registration, PushMessage message, CancellationToken cancellationToken)
    {
        if (registration.Subscription is not { } subscription)
        {
            return PushLog.Outcome(logger, registration, message, new PushOutcome(PushOutcomeKind.Failed, Reason: "The registration has no Web Push subscription"));
        }

        PushOutcome outcome;
        try
        {
            await client.RequestPushMessageDeliveryAsync(ToLibrary(subscription), ToLibrary(message), vapid, cancellationToken).ConfigureAwait(false);
            // The library says only that the service accepted it (201, or 200/202 from some services).
            outcome = new PushOutcome(PushOutcomeKind.Delivered);
        }
        catch (PushServiceClientException e)
        {
            outcome = WebPushOutcomes.From((int)e.StatusCode, RetryAfterHeader.From(e.Headers, clock.GetUtcNow()));
        }
        catch (Exception e) when (TransportFailure.Outcome(e, cancellationToken) is { } failure)
        {
            outcome = failure;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or CryptographicException or UriFormatException or InvalidOperationException)
        {
            // A subscription whose endpoint or keys are not usable (the registration endpoint should have refused it).
            outcome = new PushOutcome(PushOutcomeKind.Failed, Reason: $"Unusable subscription ({e.GetType().Name})");
        }

        return PushLog.Outcome(logger, registration, message, outcome);
    }

    private static Lib.Net.Http.WebPush.PushSubscription ToLibrary(WebPushSubscription subscription)
    {
        var converted = new Lib.Net.Http.WebPush.PushSubscription { Endpoint = subscription.Endpoint };
        converted.SetKey(PushEncryptionKeyName.P256DH, subscription.P256dh);
        converted.SetKey(PushEncryptionKeyName.Auth, subscription.Auth);
        return converted;
    }

    private Lib.Net.Http.WebPush.PushMessage ToLibrary(PushMessage message) =>
        new(Encoding.UTF8.GetString(PushPayload.ToJsonObject(message)))
        {
            Urgency = PushMessageUrgency.High,
            TimeToLive = (int)Math.Min(int.MaxValue, PushPayload.SecondsUntil(message.ExpiresAt, clock.GetUtcNow(), atLeast: 0)),
            Topic = WebPushTopic.For(message.CollapseKey),
        };

    public void Dispose()
    {
        vapid.Dispose();
        http.Dispose();
    }
}
