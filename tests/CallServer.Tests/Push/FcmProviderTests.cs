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

/// <summary>The FCM provider against a loopback FCM HTTP v1 and Google token endpoint.</summary>
public sealed class FcmProviderTests : IAsyncLifetime
{
    private const string ProjectId = "callserver-test";

    private readonly ServiceAccountTestKey serviceAccount = new();
    private FcmStandIn standIn = null!;

    public async Task InitializeAsync() =>
        standIn = await FcmStandIn.StartAsync(serviceAccount.PublicKey, ServiceAccountTestKey.ClientEmail, ServiceAccountTestKey.KeyId, ProjectId);

    public async Task DisposeAsync()
    {
        await standIn.DisposeAsync();
        serviceAccount.Dispose();
    }

    private Harness<FcmProvider> Fcm(TimeSpan? requestTimeout = null) =>
        Build(new PushOptions
        {
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(5),
            Fcm = new FcmPushOptions
            {
                Endpoint = standIn.Endpoint,
                ProjectId = ProjectId,
                ServiceAccountJson = serviceAccount.Json(ProjectId),
                TokenEndpoint = standIn.TokenEndpoint,
            },
        }, (options, http, logs) => new FcmProvider(options, http, TimeProvider.System, logs.CreateLogger<FcmProvider>()));

    [Fact]
    public async Task An_incoming_call_is_a_high_priority_data_message_with_a_token_from_the_configured_endpoint()
    {
        using var fcm = Fcm();
        var message = Incoming(video: true, ringing: TimeSpan.FromSeconds(30));

        var outcome = await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-1"), message, CancellationToken.None);

        Assert.Equal(new PushOutcome(PushOutcomeKind.Delivered, 200), outcome);
        var grant = await standIn.TokenRequests.NextAsync();
        Assert.Empty(grant.Problems);
        Assert.Equal("HTTP/2", grant.Protocol);
        Assert.Equal(FcmStandIn.GoogleTokenAudience, grant.Assertion!.ClaimString("aud"));
        var send = await standIn.SendRequests.NextAsync();
        Assert.Empty(send.Problems);
        Assert.Equal("HTTP/2", send.Protocol);
        Assert.Equal(grant.IssuedToken, send.Bearer);
        Assert.Equal("fcm-token-1", send.Token);
        Assert.Equal(new Dictionary<string, string>
        {
            ["type"] = "incomingCall",
            ["callId"] = message.CallId,
            [FcmData.CallerKey] = "alice@example.com",
            ["displayName"] = "Alice Liddell",
            ["video"] = "true",
            ["expiresAt"] = message.ExpiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
        }, send.Data);
        Assert.Equal("HIGH", send.Priority);
        Assert.InRange(int.Parse(send.Ttl!.TrimEnd('s'), CultureInfo.InvariantCulture), 28, 30);
        Assert.Equal(message.CallId, send.CollapseKey);
    }

    [Fact]
    public async Task A_missing_display_name_is_left_out_and_an_audio_call_says_video_false()
    {
        using var fcm = Fcm();
        var message = Incoming(displayName: null, video: false);

        await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-2"), message, CancellationToken.None);

        var send = await standIn.SendRequests.NextAsync();
        Assert.Empty(send.Problems);
        Assert.Equal(["type", "callId", FcmData.CallerKey, "video", "expiresAt"], send.Data.Keys);
        Assert.Equal("false", send.Data["video"]);
    }

    [Fact]
    public async Task A_cancel_carries_type_call_id_and_reason_and_a_past_expiry_still_gets_a_one_second_ttl()
    {
        using var fcm = Fcm();
        var message = new CallCanceledPush(NewCallId(), "timeout", DateTimeOffset.UtcNow - TimeSpan.FromSeconds(5));

        Assert.Equal(PushOutcomeKind.Delivered, (await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-3"), message, CancellationToken.None)).Kind);

        var send = await standIn.SendRequests.NextAsync();
        Assert.Equal(new Dictionary<string, string> { ["type"] = "callCanceled", ["callId"] = message.CallId, ["reason"] = "timeout" }, send.Data);
        Assert.Equal("1s", send.Ttl);
        Assert.Equal(message.CallId, send.CollapseKey);
    }

    [Fact]
    public async Task A_missed_call_has_a_collapse_key_of_its_own_so_the_calls_cancel_does_not_replace_it()
    {
        using var fcm = Fcm();
        var callId = NewCallId();
        var missed = new MissedCallPush(callId, "alice@example.com", "Alice", false, "Canceled", DateTimeOffset.UtcNow.AddDays(1));

        Assert.Equal(PushOutcomeKind.Delivered, (await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-4"), missed, CancellationToken.None)).Kind);

        var send = await standIn.SendRequests.NextAsync();
        Assert.Equal("missedCall", send.Data["type"]);
        Assert.Equal(callId, send.Data["callId"]);
        Assert.NotEqual(callId, send.CollapseKey);
        Assert.Contains(callId, send.CollapseKey);
    }

    [Fact]
    public async Task One_access_token_serves_many_messages_and_neither_it_nor_the_device_token_reaches_the_logs()
    {
        using var fcm = Fcm();
        standIn.Answer("fcm-token-gone", FcmAnswer.Unregistered);

        var outcomes = new List<PushOutcome>
        {
            await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-4"), Incoming(), CancellationToken.None),
        };
        outcomes.AddRange(await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: $"fcm-token-5{i}"), Incoming(), CancellationToken.None))));
        outcomes.Add(await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-gone"), Incoming(), CancellationToken.None));

        Assert.Equal(11, outcomes.Count(outcome => outcome.Kind == PushOutcomeKind.Delivered));
        var grant = Assert.Single(standIn.TokenRequests.All);
        Assert.All(standIn.SendRequests.All, send => Assert.Equal(grant.IssuedToken, send.Bearer));
        var logs = fcm.Logs.AllText;
        Assert.Contains(fcm.Logs.Entries, entry => entry.EventId.Id == 6011);
        Assert.DoesNotContain(grant.IssuedToken!, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("fcm-token-gone", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Alice Liddell", logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(FcmAnswer.Unregistered, PushOutcomeKind.RegistrationGone, 404, "NOT_FOUND/UNREGISTERED")]
    [InlineData(FcmAnswer.InvalidArgument, PushOutcomeKind.Failed, 400, "INVALID_ARGUMENT")]
    [InlineData(FcmAnswer.QuotaExceeded, PushOutcomeKind.Retry, 429, "RESOURCE_EXHAUSTED/QUOTA_EXCEEDED")]
    [InlineData(FcmAnswer.Unavailable, PushOutcomeKind.Retry, 503, "UNAVAILABLE")]
    public async Task What_fcm_answers_is_the_outcome(FcmAnswer answer, PushOutcomeKind kind, int status, string reason)
    {
        using var fcm = Fcm();
        standIn.Answer("fcm-token-6", answer);

        var outcome = await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-6"), Incoming(), CancellationToken.None);

        Assert.Equal(new PushOutcome(kind, status, reason, answer == FcmAnswer.QuotaExceeded ? TimeSpan.FromSeconds(11) : null), outcome);
        Assert.Empty((await standIn.SendRequests.NextAsync()).Problems);
    }

    [Theory]
    [InlineData(FcmTokenAnswer.InvalidGrant, PushOutcomeKind.Failed, 400)]
    [InlineData(FcmTokenAnswer.Unavailable, PushOutcomeKind.Retry, 503)]
    public async Task A_token_endpoint_that_refuses_the_grant_is_a_failure_and_one_that_is_unavailable_a_retry(FcmTokenAnswer answer, PushOutcomeKind kind, int status)
    {
        using var fcm = Fcm();
        standIn.TokenAnswer = answer;

        var outcome = await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-7"), Incoming(), CancellationToken.None);

        Assert.Equal(kind, outcome.Kind);
        Assert.Equal(status, outcome.StatusCode);
        Assert.StartsWith("access token: ", outcome.Reason, StringComparison.Ordinal);
        Assert.Empty((await standIn.TokenRequests.NextAsync()).Problems);
        Assert.Empty(standIn.SendRequests.All);
    }

    [Fact]
    public async Task An_fcm_that_does_not_answer_within_the_request_timeout_is_a_retry_soon_after_it()
    {
        var timeout = TimeSpan.FromSeconds(2);
        using var fcm = Fcm(requestTimeout: timeout);
        standIn.Answer("fcm-token-8", FcmAnswer.Hang);
        // The access token first, so that only the hanging send is timed.
        Assert.Equal(PushOutcomeKind.Delivered, (await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-9"), Incoming(), CancellationToken.None)).Kind);

        var clock = Stopwatch.StartNew();
        var outcome = await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-8"), Incoming(), CancellationToken.None);
        clock.Stop();

        Assert.Equal(new PushOutcome(PushOutcomeKind.Retry, Reason: "Timeout"), outcome);
        Assert.InRange(clock.Elapsed, timeout - TimeSpan.FromMilliseconds(50), timeout + TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task A_404_that_is_not_an_fcm_error_is_a_failure_not_a_reason_to_delete_the_registration()
    {
        using var fcm = Build(new PushOptions
        {
            Fcm = new FcmPushOptions
            {
                Endpoint = $"{standIn.Endpoint}/not-fcm",
                ProjectId = ProjectId,
                ServiceAccountJson = serviceAccount.Json(ProjectId),
                TokenEndpoint = standIn.TokenEndpoint,
            },
        }, (options, http, logs) => new FcmProvider(options, http, TimeProvider.System, logs.CreateLogger<FcmProvider>()));

        var outcome = await fcm.Provider.SendAsync(Registration(PushPlatform.Fcm, token: "fcm-token-10"), Incoming(), CancellationToken.None);

        Assert.Equal(new PushOutcome(PushOutcomeKind.Failed, 404, "HTTP 404"), outcome);
        Assert.Empty((await standIn.TokenRequests.NextAsync()).Problems);
    }

    [Fact]
    public void Without_a_service_account_fcm_is_not_configured()
    {
        using var fcm = Build(new PushOptions { Fcm = new FcmPushOptions { ProjectId = ProjectId } },
            (options, http, logs) => new FcmProvider(options, http, TimeProvider.System, logs.CreateLogger<FcmProvider>()));

        Assert.False(fcm.Provider.IsConfigured);
        Assert.Contains(fcm.Logs.Entries, entry => entry.EventId.Id == 6002);
    }
}
