using System.Collections.Concurrent;
using System.Net;
using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Hubs;
using CallServer.Observability.Metrics;
using CallServer.Outbox;
using CallServer.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CallServer.Tests.Shell;

/// <summary>
/// The leader's term (<see cref="WebhookTerm"/>: the fan-out and one <see cref="WebhookPump"/> per receiver) on the
/// in-memory outbox, a fake clock and receivers in the process (no HTTP): a call's events reach every endpoint in
/// stream order, each event handed to each receiver's queue once; a receiver that is down holds back only itself;
/// never more than <see cref="WebhookPump.MaxInFlight"/> entries in progress per receiver, each acknowledged when its
/// receiver is done, its claim kept every third of the claim period, and what a term did not finish left in the
/// outbox for the next term after the claim period; a receiver failing for long is reported once, and its return.
/// </summary>
public sealed class WebhookTermTests : IAsyncLifetime
{
    private const string All = "all";
    private const string EndedOnly = "ended";
    private const string OutboxFailing = "WebhooksOutboxFailing";
    private static readonly TimeSpan ClaimAfter = TimeSpan.FromSeconds(30);

    /// <summary>A poll that never comes (the clock moves less): only the wake-ups make the term look again.</summary>
    private static readonly TimeSpan NoPoll = TimeSpan.FromHours(1);

    private readonly ObservedClock clock = new();
    private readonly ObservedOutbox outbox;
    private readonly Receivers receivers;
    private readonly RecordingLogger logger = new();
    private readonly CallServerMetrics metrics = new(new LocalConnections());
    private readonly IReadOnlyList<WebhookEndpoint> endpoints = WebhookKit.Endpoints((All, null), (EndedOnly, [WebhookKit.Ended]));
    private readonly WebhookWakeups wakeups;
    private readonly WebhookDelivery delivery;
    private readonly List<(CancellationTokenSource Term, Task Run)> terms = [];

    public WebhookTermTests()
    {
        outbox = new ObservedOutbox(clock);
        receivers = new Receivers(outbox.Changes);
        wakeups = new WebhookWakeups(new OutboxWakeup(), endpoints.ToDictionary(e => e.Key, _ => new OutboxWakeup()));
        var options = Options.Create(new WebhooksOptions { Timeout = TimeSpan.FromMinutes(5), MaxAttempts = 1000, MaxAge = TimeSpan.FromDays(1) });
        delivery = new WebhookDelivery(
            new WebhookSender(new Clients(receivers), options, clock),
            new WebhookRetryPolicy(options),
            metrics,
            clock,
            NullLogger<WebhookDelivery>.Instance);
    }

    private Conditions Changes => outbox.Changes;

    private WebhookEndpoint Endpoint(string name) => endpoints.Single(e => e.Url.AbsolutePath.Trim('/') == name);

    /// <summary>The entries of <paramref name="name"/>'s queue taken so far.</summary>
    private IReadOnlyList<Domain.Ports.OutboxEntry> TakenFor(string name) => [.. outbox.Taken.Where(e => e.Message.Topic == Endpoint(name).Topic)];

    private void WakeAll()
    {
        wakeups.Events.Set();
        foreach (var endpoint in endpoints)
        {
            wakeups.Of(endpoint).Set();
        }
    }

    [Fact]
    public async Task A_call_s_events_reach_each_endpoint_that_wants_them_once_and_in_stream_order()
    {
        string[] calls = ["A", "B", "C"];
        for (var n = 1; n <= 8; n++)
        {
            foreach (var call in calls)
            {
                Append(call, n, n == 8 ? WebhookKit.Ended : WebhookKit.Updated);
            }
        }

        receivers.Answer = async (request, _) =>
        {
            for (var i = 0; i < (request.WebhookId.GetHashCode(StringComparison.Ordinal) & 3); i++)
            {
                await Task.Yield(); // answers come back in another order than asked
            }

            return HttpStatusCode.OK;
        };
        Start(maxInFlight: 4);

        // 24 events handed on (each once), then 24 copies for one receiver and 3 for the other acknowledged.
        await Changes.Until(() => outbox.Acknowledged.Count == 24 + 24 + 3, "every entry acknowledged");
        foreach (var call in calls)
        {
            Assert.Equal(Enumerable.Range(1, 8).Select(n => WebhookKit.Id(call, n)), receivers.Of(All, call));
            Assert.Equal([WebhookKit.Id(call, 8)], receivers.Of(EndedOnly, call));
        }

        Assert.Equal(24 + 3, receivers.Received.Count);
        Assert.Equal(0, receivers.Overlaps);
        Assert.Equal(24, TakenFor(All).Count);
        Assert.Equal(3, TakenFor(EndedOnly).Count);
        Assert.Equal(0, await outbox.BacklogAsync(OutboxTopic.Webhooks) + await outbox.BacklogAsync(Endpoint(All).Topic) + await outbox.BacklogAsync(Endpoint(EndedOnly).Topic));
    }

    [Fact]
    public async Task Never_more_than_MaxInFlight_entries_are_in_progress()
    {
        for (var call = 1; call <= 10; call++)
        {
            Append($"C{call}", 1, WebhookKit.Updated); // ten calls: ten lanes that could all run at once
        }

        var permits = new SemaphoreSlim(0);
        receivers.Answer = async (_, token) =>
        {
            await permits.WaitAsync(token);
            return HttpStatusCode.OK;
        };
        Start(maxInFlight: 3);

        await Changes.Until(() => receivers.Received.Count == 3, "three deliveries in progress");
        Assert.Equal(3, TakenFor(All).Count);

        permits.Release();
        await Changes.Until(() => receivers.Received.Count == 4 && receivers.Answered.Count == 1, "a fourth taken once one was done");
        Assert.Equal(4, TakenFor(All).Count);

        permits.Release(10);
        await Changes.Until(() => outbox.Acknowledged.Count == 10 + 10, "every entry handed on and acknowledged");
        Assert.Equal(3, receivers.MostInProgress);
    }

    [Fact]
    public async Task Each_receivers_copy_is_acknowledged_when_that_receiver_is_done_whatever_the_other_does()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receivers.Answer = async (request, _) =>
        {
            if (request.Endpoint == EndedOnly)
            {
                await held.Task;
            }

            return HttpStatusCode.OK;
        };
        Append("A", 1, WebhookKit.Ended);
        Start(maxInFlight: 4);

        await Changes.Until(() => receivers.Answered.Count == 1 && receivers.Received.Count == 2 && outbox.Acknowledged.Count == 2, "one endpoint answered, the other asked");
        Assert.Equal(All, Assert.Single(receivers.Answered).Endpoint);
        Assert.Equal([.. TakenFor(All).Select(e => e.Id)], outbox.Acknowledged.Where(id => TakenFor(All).Any(e => e.Id == id)));
        Assert.Equal(1, await outbox.BacklogAsync(Endpoint(EndedOnly).Topic));

        held.SetResult();
        await Changes.Until(() => outbox.Acknowledged.Count == 3, "acknowledged after the second endpoint");
    }

    [Fact]
    public async Task The_claims_of_the_entries_in_progress_are_kept_every_third_of_the_claim_period()
    {
        receivers.Answer = async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return HttpStatusCode.OK;
        };
        Append("A", 1, WebhookKit.Updated);
        Start(maxInFlight: 4);
        await Changes.Until(() => receivers.Received.Count == 1, "the delivery in progress");

        for (var third = 1; third <= 3; third++)
        {
            clock.Advance(ClaimAfter / 3);
            await Changes.Until(() => outbox.Kept.Count == third, $"renewal {third}");
        }

        // A whole claim period after the take: without the renewals another node would take it now.
        Assert.Empty(await outbox.TakeAsync(Endpoint(All).Topic, "node-b", 10, ClaimAfter));
        Assert.Equal(1, await outbox.BacklogAsync(Endpoint(All).Topic));
    }

    [Fact]
    public async Task What_a_term_did_not_finish_stays_unacknowledged_and_the_next_term_takes_it_after_the_claim_period()
    {
        receivers.Answer = async (_, token) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token); // receivers that hang until the term ends
            return HttpStatusCode.OK;
        };
        Append("A", 1, WebhookKit.Updated);
        Append("A", 2, WebhookKit.Updated);
        Append("B", 1, WebhookKit.Updated);
        var first = Start(maxInFlight: 4);
        await Changes.Until(() => receivers.Received.Count == 2, "A's first and B's first in progress");

        await first.Term.CancelAsync();
        await first.Run.WaitAsync(Conditions.Bound);
        Assert.Equal(3, outbox.Acknowledged.Count); // handed on to the receiver's queue, not delivered
        Assert.Equal(3, await outbox.BacklogAsync(Endpoint(All).Topic));
        Assert.DoesNotContain(receivers.Received, request => request.WebhookId == WebhookKit.Id("A", 2));

        receivers.Answer = (_, _) => Task.FromResult(HttpStatusCode.OK);
        var takesBefore = outbox.Takes;
        Start(maxInFlight: 4);
        await Changes.Until(() => outbox.Takes >= takesBefore + 3, "the next term's first takes (the fan-out and each receiver's)");
        Assert.Equal(3, TakenFor(All).Count); // still claimed by the first term's take

        clock.Advance(ClaimAfter);
        WakeAll();
        await Changes.Until(() => outbox.Acknowledged.Count == 6, "the three taken again and acknowledged");
        Assert.All(TakenFor(All).Skip(3), entry => Assert.Equal(2, entry.Deliveries));
        Assert.Equal([WebhookKit.Id("A", 1), WebhookKit.Id("A", 2)], receivers.AnsweredOf(All, "A"));
    }

    [Fact]
    public async Task A_store_outage_is_reported_once_and_the_pump_goes_on_when_the_store_is_back()
    {
        outbox.TakesFail = true;
        Start(maxInFlight: 4);
        for (var round = 1; round <= 3; round++)
        {
            await Changes.Until(() => outbox.FailedTakes >= 3 * round, $"failed takes of round {round}");
            WakeAll();
        }

        // Once per reader of the term (the fan-out and each receiver's pump), not once per failed take.
        await Changes.Until(() => logger.Of(OutboxFailing).Count == 3, "each reader reported the outage");
        Assert.Equal(3, logger.Of(OutboxFailing).Count);

        outbox.TakesFail = false;
        Append("A", 1, WebhookKit.Updated);
        WakeAll();
        await Changes.Until(() => outbox.Acknowledged.Count == 2, "delivered and acknowledged after the outage");
    }

    [Fact]
    public async Task A_receiver_that_is_down_fills_only_its_own_window_and_the_other_gets_every_event_in_order()
    {
        receivers.Answer = (request, _) => Task.FromResult(request.Endpoint == EndedOnly ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
        for (var call = 1; call <= 20; call++)
        {
            Append($"C{call}", 1, WebhookKit.Updated);
            Append($"C{call}", 2, WebhookKit.Ended);
        }

        Start(maxInFlight: 4);

        // The live receiver gets all 40 events, each call in order, while the dead one holds 4 in its window (retrying).
        await Changes.Until(() => receivers.DeliveredOf(All).Count == 40, "every event at the live receiver");
        for (var call = 1; call <= 20; call++)
        {
            Assert.Equal([WebhookKit.Id($"C{call}", 1), WebhookKit.Id($"C{call}", 2)], receivers.AnsweredOf(All, $"C{call}"));
        }

        Assert.Equal(4, TakenFor(EndedOnly).Select(e => e.Id).Distinct().Count());
        Assert.Equal(20, await outbox.BacklogAsync(Endpoint(EndedOnly).Topic));
        Assert.Equal(0, await outbox.BacklogAsync(Endpoint(All).Topic));

        // Back: its backlog arrives, in order, each event delivered once.
        receivers.Answer = (_, _) => Task.FromResult(HttpStatusCode.OK);
        clock.Advance(TimeSpan.FromMinutes(2)); // past every retry wait
        WakeAll();
        await Changes.Until(() => receivers.DeliveredOf(EndedOnly).Count == 20, "the dead receiver's backlog delivered");
        Assert.Equal(Enumerable.Range(1, 20).Select(call => WebhookKit.Id($"C{call}", 2)).Order(StringComparer.Ordinal), receivers.DeliveredOf(EndedOnly).Order(StringComparer.Ordinal));
        await Changes.Until(() => outbox.Acknowledged.Count == 40 + 40 + 20, "every copy acknowledged");
    }

    [Fact]
    public async Task A_receiver_failing_for_longer_than_the_warning_time_is_reported_once_and_its_return_too()
    {
        var failing = true;
        receivers.Answer = (request, _) => Task.FromResult(request.Endpoint == All && Volatile.Read(ref failing) ? HttpStatusCode.InternalServerError : HttpStatusCode.OK);
        Append("A", 1, WebhookKit.Updated);
        Start(maxInFlight: 4, failingWarningAfter: TimeSpan.FromSeconds(25));
        await Changes.Until(() => receivers.Received.Count == 1, "the first attempt failed");

        clock.Advance(ClaimAfter / 3); // a keeper tick, 10 s in: not yet
        await Changes.Until(() => outbox.Kept.Count == 1, "the first keeper tick");
        Assert.Empty(logger.Of("WebhookEndpointFailing"));

        for (var tick = 2; tick <= 4; tick++)
        {
            clock.Advance(ClaimAfter / 3);
            await Changes.Until(() => outbox.Kept.Count >= tick, $"keeper tick {tick}");
        }

        var warning = Assert.Single(logger.Of("WebhookEndpointFailing"));
        Assert.Contains(Endpoint(All).Key, warning.Message, StringComparison.Ordinal);
        Assert.Contains("500", warning.Message, StringComparison.Ordinal);

        Volatile.Write(ref failing, false);
        clock.Advance(TimeSpan.FromMinutes(2)); // the next retry goes out and is delivered
        await Changes.Until(() => outbox.Acknowledged.Count == 2, "delivered at last");
        clock.Advance(ClaimAfter / 3);
        await Changes.Until(() => logger.Of("WebhookEndpointRecovered").Count == 1, "its return reported");
        Assert.Single(logger.Of("WebhookEndpointFailing"));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (term, run) in terms)
        {
            await term.CancelAsync();
            await run.WaitAsync(Conditions.Bound).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            term.Dispose();
        }

        metrics.Dispose();
    }

    private void Append(string callId, int n, string type) => outbox.Append(WebhookKit.Message(callId, n, type, clock.GetUtcNow()));

    /// <summary>Starts a new term; it ends when the test cancels it, or at the end of the test.</summary>
    private (CancellationTokenSource Term, Task Run) Start(int maxInFlight, TimeSpan? failingWarningAfter = null)
    {
        var settings = new WebhookPump.Settings(new OutboxWorkerSettings(NoPoll, ClaimAfter, maxInFlight), failingWarningAfter ?? TimeSpan.FromHours(1));
        var webhookTerm = new WebhookTerm(outbox, settings, wakeups, endpoints, delivery, "node-a", metrics, clock, logger);
        var term = new CancellationTokenSource();
        var started = (term, Task.Run(() => webhookTerm.RunAsync(term.Token)));
        terms.Add(started);
        return started;
    }

    /// <summary>One request a receiver got: the endpoint's name (the URL's path), the <c>webhook-id</c>, the call (from the id).</summary>
    private sealed record Request(string Endpoint, string WebhookId)
    {
        public string CallId => WebhookId.Split('_')[1];
    }

    /// <summary>Hands the receivers to the webhook sender as its HTTP client.</summary>
    private sealed class Clients(HttpMessageHandler handler) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(handler, disposeHandler: false);
    }

    /// <summary>
    /// The receivers of every endpoint, in the process: each request is recorded when it arrives and when
    /// answered (as <see cref="Answer"/> says; 200 at once by default), with the most in progress at once and
    /// the times two requests of one endpoint and call overlapped.
    /// </summary>
    private sealed class Receivers(Conditions changes) : HttpMessageHandler
    {
        private readonly ConcurrentDictionary<(string, string), int> busyLanes = new();
        private int inProgress;
        private int mostInProgress;
        private int overlaps;

        public Func<Request, CancellationToken, Task<HttpStatusCode>> Answer { get; set; } = (_, _) => Task.FromResult(HttpStatusCode.OK);

        public ConcurrentQueue<Request> Received { get; } = new();

        public ConcurrentQueue<Request> Answered { get; } = new();

        public int MostInProgress => Volatile.Read(ref mostInProgress);

        public int Overlaps => Volatile.Read(ref overlaps);

        /// <summary>The ids of the events of <paramref name="callId"/> that <paramref name="endpoint"/> received, in order.</summary>
        public IReadOnlyList<string> Of(string endpoint, string callId) =>
            [.. Received.Where(request => request.Endpoint == endpoint && request.CallId == callId).Select(request => request.WebhookId)];

        /// <summary>Requests answered with a 2xx, in order.</summary>
        public ConcurrentQueue<Request> Delivered { get; } = new();

        /// <summary>The ids of the events that <paramref name="endpoint"/> took (answered 2xx), in order.</summary>
        public IReadOnlyList<string> DeliveredOf(string endpoint) =>
            [.. Delivered.Where(request => request.Endpoint == endpoint).Select(request => request.WebhookId)];

        /// <summary>The ids of the events of <paramref name="callId"/> that <paramref name="endpoint"/> answered, in order.</summary>
        public IReadOnlyList<string> AnsweredOf(string endpoint, string callId) =>
            [.. Answered.Where(request => request.Endpoint == endpoint && request.CallId == callId).Select(request => request.WebhookId)];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
        {
            var request = new Request(message.RequestUri!.AbsolutePath.Trim('/'), message.Headers.GetValues("webhook-id").Single());
            var lane = (request.Endpoint, request.CallId);
            if (busyLanes.AddOrUpdate(lane, 1, (_, busy) => busy + 1) > 1)
            {
                Interlocked.Increment(ref overlaps);
            }

            var now = Interlocked.Increment(ref inProgress);
            for (var most = Volatile.Read(ref mostInProgress); now > most; most = Volatile.Read(ref mostInProgress))
            {
                Interlocked.CompareExchange(ref mostInProgress, now, most);
            }

            Received.Enqueue(request);
            changes.Notify();
            try
            {
                var status = await Answer(request, cancellationToken);
                if ((int)status is >= 200 and < 300)
                {
                    Delivered.Enqueue(request);
                }

                Answered.Enqueue(request);
                return new HttpResponseMessage(status);
            }
            finally
            {
                Interlocked.Decrement(ref inProgress);
                busyLanes.AddOrUpdate(lane, 0, (_, busy) => busy - 1);
                changes.Notify();
            }
        }
    }
}
