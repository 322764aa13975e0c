using System.Diagnostics;
using System.Globalization;
using CallServer.Configuration;
using CallServer.Ports;
using CallServer.Push;
using CallServer.Push.Providers;
using CallServer.Tests.Push.StandIns;
using Microsoft.Extensions.Logging;
using static CallServer.Tests.Push.PushTestKit;

namespace CallServer.Tests.Push;

/// <summary>The APNs provider against a loopback APNs that checks what Apple checks.</summary>
public sealed class ApnsProviderTests : IAsyncLifetime
{
    private const string TeamId = "TEAM123456";
    private const string KeyId = "KEY7654321";
    private const string BundleId = "com.example.phone";

    private readonly ApnsTestKey key = new();
    private ApnsStandIn standIn = null!;

    public async Task InitializeAsync() => standIn = await ApnsStandIn.StartAsync(key.PublicKey, KeyId, TeamId);

    public async Task DisposeAsync()
    {
        await standIn.DisposeAsync();
        key.Dispose();
    }

    private Harness<ApnsProvider> Apns(TimeSpan? requestTimeout = null, string? endpoint = null, string? topic = BundleId) =>
        Build(new PushOptions
        {
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
            Apns = new ApnsPushOptions { Endpoint = endpoint ?? standIn.Endpoint, TeamId = TeamId, KeyId = KeyId, PrivateKey = key.Pkcs8Pem, Topic = topic },
        }, (options, http, logs) => new ApnsProvider(options, http, TimeProvider.System, logs.CreateLogger<ApnsProvider>()));

    [Fact]
    public async Task An_incoming_call_is_a_voip_push_apns_accepts_with_every_header_and_the_exact_payload()
    {
        using var apns = Apns();
        var message = Incoming(video: true);
        var registration = Registration(PushPlatform.Apns, token: "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90");

        var outcome = await apns.Provider.SendAsync(registration, message, CancellationToken.None);

        Assert.Equal(PushOutcome.Delivered, outcome);
        var request = await standIn.Requests.NextAsync();
        Assert.Empty(request.Problems);
        Assert.Equal("HTTP/2", request.Protocol);
        Assert.Equal($"/3/device/{registration.Token}", request.Path);
        Assert.Equal("voip", request.Header("apns-push-type"));
        Assert.Equal($"{BundleId}.voip", request.Header("apns-topic"));
        Assert.Equal("10", request.Header("apns-priority"));
        Assert.Equal(message.ExpiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), request.Header("apns-expiration"));
        Assert.Equal(message.CallId, request.Header("apns-collapse-id"));
        Assert.StartsWith("CallServer/", request.Header("user-agent"), StringComparison.Ordinal);
        Assert.Equal(
            $$"""{"type":"incomingCall","callId":"{{message.CallId}}","from":"alice@example.com","displayName":"Alice Liddell","video":true,"expiresAt":"{{message.ExpiresAt.UtcDateTime:O}}"}""",
            request.Body);
    }

    [Fact]
    public async Task A_caller_without_a_display_name_and_an_audio_call_give_a_null_name_and_video_false()
    {
        using var apns = Apns();
        var message = Incoming(displayName: null, video: false);

        Assert.Equal(PushOutcomeKind.Delivered, (await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "feed01"), message, CancellationToken.None)).Kind);

        var request = await standIn.Requests.NextAsync();
        Assert.Equal(
            $$"""{"type":"incomingCall","callId":"{{message.CallId}}","from":"alice@example.com","displayName":null,"video":false,"expiresAt":"{{message.ExpiresAt.UtcDateTime:O}}"}""",
            request.Body);
    }

    [Fact]
    public async Task A_cancel_carries_only_type_call_id_and_reason_and_collapses_onto_the_call()
    {
        using var apns = Apns();
        var message = Canceled(NewCallId(), reason: "callerHungUp");

        Assert.Equal(PushOutcomeKind.Delivered, (await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "feed02"), message, CancellationToken.None)).Kind);

        var request = await standIn.Requests.NextAsync();
        Assert.Empty(request.Problems);
        Assert.Equal($$"""{"type":"callCanceled","callId":"{{message.CallId}}","reason":"callerHungUp"}""", request.Body);
        Assert.Equal(message.CallId, request.Header("apns-collapse-id"));
    }

    [Fact]
    public async Task The_registrations_own_app_id_is_the_topic_when_it_names_one()
    {
        using var apns = Apns();

        await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "feed03", appId: "org.other.softphone"), Incoming(), CancellationToken.None);

        Assert.Equal("org.other.softphone.voip", (await standIn.Requests.NextAsync()).Header("apns-topic"));
    }

    [Theory]
    [InlineData(ApnsAnswer.Unregistered, PushOutcomeKind.RegistrationGone, 410, "Unregistered")]
    [InlineData(ApnsAnswer.BadDeviceToken, PushOutcomeKind.RegistrationGone, 400, "BadDeviceToken")]
    [InlineData(ApnsAnswer.TooManyRequests, PushOutcomeKind.Retry, 429, "TooManyRequests")]
    [InlineData(ApnsAnswer.InternalServerError, PushOutcomeKind.Retry, 500, "InternalServerError")]
    [InlineData(ApnsAnswer.PayloadEmpty, PushOutcomeKind.Failed, 400, "PayloadEmpty")]
    public async Task What_apns_answers_is_the_outcome(ApnsAnswer answer, PushOutcomeKind kind, int status, string reason)
    {
        using var apns = Apns();
        standIn.Answer("dead01", answer);

        var outcome = await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "dead01"), Incoming(), CancellationToken.None);

        Assert.Equal(kind, outcome.Kind);
        Assert.Equal(status, outcome.StatusCode);
        Assert.Equal(reason, outcome.Reason);
        Assert.Equal(answer == ApnsAnswer.TooManyRequests ? TimeSpan.FromSeconds(7) : null, outcome.RetryAfter);
        Assert.Empty((await standIn.Requests.NextAsync()).Problems);
    }

    [Fact]
    public async Task One_provider_token_serves_every_push_even_concurrent_ones_and_never_reaches_the_logs()
    {
        using var apns = Apns();
        var first = await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "beef00"), Incoming(), CancellationToken.None);
        var concurrent = await Task.WhenAll(Enumerable.Range(1, 20).Select(i =>
            apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: $"beef{i:00}"), Incoming(), CancellationToken.None)));
        standIn.Answer("beef99", ApnsAnswer.BadDeviceToken);
        await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "beef99"), Incoming(), CancellationToken.None);

        Assert.All(concurrent.Append(first), outcome => Assert.Equal(PushOutcomeKind.Delivered, outcome.Kind));
        var requests = standIn.Requests.All;
        Assert.Equal(22, requests.Count);
        Assert.All(requests, request => Assert.Empty(request.Problems));
        var jwt = Assert.Single(requests.Select(request => request.Jwt).Distinct());

        var logs = apns.Logs.AllText;
        Assert.Contains(apns.Logs.Entries, entry => entry.EventId.Id == 6004); // the token was made once and that was logged...
        Assert.Single(apns.Logs.Entries, entry => entry.EventId.Id == 6004);
        Assert.Contains(apns.Logs.Entries, entry => entry.EventId.Id == 6011); // ...and so was the gone registration
        Assert.DoesNotContain(jwt, logs, StringComparison.Ordinal);
        Assert.DoesNotContain(jwt.Split('.')[2], logs, StringComparison.Ordinal);
        Assert.DoesNotContain("beef99", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice Liddell", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Pkcs8Pem.Split('\n')[1].Trim(), logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_provider_token_is_a_retry_and_the_next_push_carries_a_new_token()
    {
        using var apns = Apns();
        standIn.Answer("cafe01", ApnsAnswer.ExpiredProviderToken);

        var refused = await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "cafe01"), Incoming(), CancellationToken.None);
        var next = await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "cafe02"), Incoming(), CancellationToken.None);

        Assert.Equal(new PushOutcome(PushOutcomeKind.Retry, 403, "ExpiredProviderToken"), refused);
        Assert.Equal(PushOutcomeKind.Delivered, next.Kind);
        var first = await standIn.Requests.NextAsync();
        var second = await standIn.Requests.NextAsync();
        Assert.NotEqual(first.Jwt, second.Jwt);
        Assert.Empty(second.Problems);
    }

    [Fact]
    public async Task An_apns_that_does_not_answer_within_the_request_timeout_is_a_retry_soon_after_it()
    {
        var timeout = TimeSpan.FromSeconds(2);
        using var apns = Apns(requestTimeout: timeout);
        standIn.Answer("slow01", ApnsAnswer.Hang);

        var clock = Stopwatch.StartNew();
        var outcome = await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "slow01"), Incoming(), CancellationToken.None);
        clock.Stop();

        Assert.Equal(PushOutcomeKind.Retry, outcome.Kind);
        Assert.Equal("Timeout", outcome.Reason);
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(50), timeout + TimeSpan.FromSeconds(2));
        Assert.Equal("slow01", (await standIn.Requests.NextAsync()).DeviceToken);
    }

    [Fact]
    public async Task An_apns_that_refuses_the_connection_is_a_retry()
    {
        var closed = await LoopbackHttp2Server.StartAsync(_ => Task.CompletedTask);
        var endpoint = closed.BaseAddress.ToString().TrimEnd('/');
        await closed.DisposeAsync();
        using var apns = Apns(endpoint: endpoint);

        var outcome = await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "gone01"), Incoming(), CancellationToken.None);

        Assert.Equal(PushOutcomeKind.Retry, outcome.Kind);
        Assert.Equal(nameof(HttpRequestError.ConnectionError), outcome.Reason);
    }

    [Fact]
    public async Task Without_a_topic_apns_is_not_configured_and_refuses_without_sending()
    {
        using var apns = Apns(topic: null);

        var outcome = await apns.Provider.SendAsync(Registration(PushPlatform.Apns, token: "feed04"), Incoming(), CancellationToken.None);

        Assert.False(apns.Provider.IsConfigured);
        Assert.Equal(PushOutcomeKind.Failed, outcome.Kind);
        Assert.Empty(standIn.Requests.All);
    }
}
