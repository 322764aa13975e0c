using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CallServer.Configuration;
using CallServer.Ports;
using CallServer.Push;
using CallServer.Push.Providers;
using CallServer.Tests.Push.StandIns;
using Microsoft.Extensions.Logging;
using static CallServer.Tests.Push.PushTestKit;

namespace CallServer.Tests.Push;

/// <summary>The Web Push provider against a loopback push service that decrypts like a browser and checks VAPID.</summary>
public sealed class WebPushProviderTests : IAsyncLifetime
{
    private const string Subject = "mailto:ops@callserver.example";

    private WebPushReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await WebPushReceiver.StartAsync(Subject);

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    private static Harness<WebPushProvider> WebPush(WebPushOptions? keys = null, TimeSpan? requestTimeout = null) =>
        Build(new PushOptions { RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5), WebPush = keys ?? new WebPushOptions { Subject = Subject } },
            (options, http, logs) => new WebPushProvider(
                WebPushVapidKeys.Create(options.Value.WebPush, logs.CreateLogger<WebPushVapidKeys>()), http, TimeProvider.System, logs.CreateLogger<WebPushProvider>()));

    [Fact]
    public async Task An_incoming_call_arrives_encrypted_for_the_browser_alone_with_vapid_high_urgency_and_a_ttl_until_it_expires()
    {
        using var webPush = WebPush();
        var browser = receiver.Subscribe();
        var message = Incoming(video: true, ringing: TimeSpan.FromSeconds(30));

        var outcome = await webPush.Provider.SendAsync(Registration(PushPlatform.WebPush, subscription: browser.Subscription), message, CancellationToken.None);

        Assert.Equal(PushOutcomeKind.Delivered, outcome.Kind);
        var delivery = await receiver.Deliveries.NextAsync();
        Assert.Empty(delivery.Problems);
        Assert.Equal("HTTP/2", delivery.Protocol);
        Assert.Equal(
            $$"""{"type":"incomingCall","callId":"{{message.CallId}}","from":"alice@example.com","displayName":"Alice Liddell","video":true,"expiresAt":"{{message.ExpiresAt.UtcDateTime:O}}"}""",
            delivery.Plaintext);
        Assert.Equal("high", delivery.Urgency);
        Assert.InRange(int.Parse(delivery.Ttl!, CultureInfo.InvariantCulture), 28, 30);
        Assert.Equal(WebPushTopic.For(message.CallId), delivery.Topic);
        Assert.Equal(Subject, delivery.Vapid!.ClaimString("sub"));
        Assert.Equal("aes128gcm", delivery.ContentEncoding);
    }

    [Fact]
    public async Task A_cancel_has_the_incoming_pushs_topic_so_it_replaces_it_and_another_call_has_another_topic_under_the_same_vapid_token()
    {
        using var webPush = WebPush();
        var browser = receiver.Subscribe();
        var registration = Registration(PushPlatform.WebPush, subscription: browser.Subscription);
        var incoming = Incoming();
        var other = Incoming();

        await webPush.Provider.SendAsync(registration, incoming, CancellationToken.None);
        await webPush.Provider.SendAsync(registration, Canceled(incoming.CallId, reason: "callerHungUp"), CancellationToken.None);
        await webPush.Provider.SendAsync(registration, other, CancellationToken.None);

        var first = await receiver.Deliveries.NextAsync();
        var cancel = await receiver.Deliveries.NextAsync();
        var third = await receiver.Deliveries.NextAsync();
        Assert.All([first, cancel, third], delivery => Assert.Empty(delivery.Problems));
        Assert.Equal($$"""{"type":"callCanceled","callId":"{{incoming.CallId}}","reason":"callerHungUp"}""", cancel.Plaintext);
        Assert.Equal(first.Topic, cancel.Topic);
        Assert.Equal(first.Vapid!.Compact, third.Vapid!.Compact); // one VAPID token per push service, not one per push
        Assert.NotEqual(first.Topic, third.Topic);
        Assert.InRange(first.Topic!.Length, 1, 32);

        // The missed-call push of the call has a topic of its own: neither the cancel nor anything else of the call replaces it.
        await webPush.Provider.SendAsync(registration, new MissedCallPush(incoming.CallId, "alice@example.com", null, false, "Canceled", incoming.ExpiresAt.AddDays(1)), CancellationToken.None);
        var missed = await receiver.Deliveries.NextAsync();
        Assert.Empty(missed.Problems);
        Assert.StartsWith("""{"type":"missedCall",""", missed.Plaintext);
        Assert.NotEqual(first.Topic, missed.Topic);
        Assert.InRange(missed.Topic!.Length, 1, 32);
    }

    [Fact]
    public async Task Configured_vapid_keys_are_the_ones_that_sign_and_the_one_served_to_browsers()
    {
        var (publicKey, privateKey) = NewVapidKeyPair();
        using var webPush = WebPush(new WebPushOptions { Subject = Subject, PublicKey = publicKey, PrivateKey = privateKey });
        var browser = receiver.Subscribe();

        await webPush.Provider.SendAsync(Registration(PushPlatform.WebPush, subscription: browser.Subscription), Incoming(), CancellationToken.None);

        var delivery = await receiver.Deliveries.NextAsync();
        Assert.Empty(delivery.Problems);
        Assert.Equal(publicKey, delivery.VapidPublicKey);
        Assert.DoesNotContain(webPush.Logs.Entries, entry => entry.EventId.Id == 6003);
    }

    [Theory]
    [InlineData(WebPushAnswer.NotFound, PushOutcomeKind.RegistrationGone, 404)]
    [InlineData(WebPushAnswer.Gone, PushOutcomeKind.RegistrationGone, 410)]
    [InlineData(WebPushAnswer.TooManyRequests, PushOutcomeKind.Retry, 429)]
    [InlineData(WebPushAnswer.PayloadTooLarge, PushOutcomeKind.Failed, 413)]
    public async Task What_the_push_service_answers_is_the_outcome_and_nothing_is_retried_behind_the_dispatchers_back(WebPushAnswer answer, PushOutcomeKind kind, int status)
    {
        using var webPush = WebPush();
        var browser = receiver.Subscribe(answer);

        var outcome = await webPush.Provider.SendAsync(Registration(PushPlatform.WebPush, subscription: browser.Subscription), Incoming(), CancellationToken.None);

        Assert.Equal(kind, outcome.Kind);
        Assert.Equal(status, outcome.StatusCode);
        Assert.Equal(answer == WebPushAnswer.TooManyRequests ? TimeSpan.FromSeconds(13) : null, outcome.RetryAfter);
        Assert.Empty((await receiver.Deliveries.NextAsync()).Problems);
        Assert.Single(receiver.Deliveries.All);
    }

    [Fact]
    public async Task A_push_service_that_does_not_answer_within_the_request_timeout_is_a_retry_soon_after_it()
    {
        var timeout = TimeSpan.FromSeconds(2); // long enough that the request reaches the hanging receiver on a busy machine before it is given up
        using var webPush = WebPush(requestTimeout: timeout);
        var browser = receiver.Subscribe(WebPushAnswer.Hang);

        var clock = Stopwatch.StartNew();
        var outcome = await webPush.Provider.SendAsync(Registration(PushPlatform.WebPush, subscription: browser.Subscription), Incoming(), CancellationToken.None);
        clock.Stop();

        Assert.Equal(new PushOutcome(PushOutcomeKind.Retry, Reason: "Timeout"), outcome);
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(50), timeout + TimeSpan.FromSeconds(2));
        Assert.Empty((await receiver.Deliveries.NextAsync()).Problems);
    }

    [Fact]
    public async Task Neither_the_subscription_nor_the_payload_nor_the_vapid_token_reaches_the_logs()
    {
        using var webPush = WebPush();
        var browser = receiver.Subscribe(WebPushAnswer.Gone);

        await webPush.Provider.SendAsync(Registration(PushPlatform.WebPush, subscription: browser.Subscription), Incoming(), CancellationToken.None);

        var delivery = await receiver.Deliveries.NextAsync();
        var logs = webPush.Logs.AllText;
        Assert.Contains(webPush.Logs.Entries, entry => entry.EventId.Id == 6011);
        Assert.DoesNotContain(browser.Id, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(browser.Subscription.Auth, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(browser.Subscription.P256dh, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(delivery.Vapid!.Compact, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice Liddell", logs, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_configured_keys_a_p256_pair_is_made_for_the_process_with_a_warning_and_a_default_subject()
    {
        using var logs = new RecordedLogs();

        var keys = WebPushVapidKeys.Create(new WebPushOptions(), logs.Factory.CreateLogger<WebPushVapidKeys>());

        Assert.True(keys.IsEphemeral);
        Assert.Equal(WebPushVapidKeys.DefaultSubject, keys.Subject);
        var point = Base64Url.DecodeFromChars(keys.PublicKey);
        var scalar = Base64Url.DecodeFromChars(keys.PrivateKey);
        Assert.Equal(65, point.Length);
        Assert.Equal(0x04, point[0]);
        Assert.Equal(32, scalar.Length);
        using var fromPrivate = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar });
        var derived = fromPrivate.ExportParameters(includePrivateParameters: false).Q;
        Assert.Equal(point, [0x04, .. derived.X!, .. derived.Y!]);
        var warning = Assert.Single(logs.Entries, entry => entry.EventId.Id == 6003);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.NotEqual(keys.PublicKey, WebPushVapidKeys.Create(new WebPushOptions(), logs.Factory.CreateLogger<WebPushVapidKeys>()).PublicKey);
    }

    private static (string PublicKey, string PrivateKey) NewVapidKeyPair()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        return (Base64Url.EncodeToString([0x04, .. parameters.Q.X!, .. parameters.Q.Y!]), Base64Url.EncodeToString(parameters.D!));
    }
}
