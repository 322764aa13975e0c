using CallServer.Domain.Ports;
using CallServer.Outbox;
using CallServer.Webhooks;

namespace CallServer.Tests.Shell;

/// <summary>
/// The webhook entries the leader has in progress (<see cref="InFlightWebhooks"/>), on the in-memory outbox
/// and a fake clock: acknowledged when the last endpoint is done (at once when none wants it), a refused
/// acknowledgement retried by <see cref="InFlightWebhooks.KeepAllAsync"/>, which also renews the claims.
/// </summary>
public sealed class InFlightWebhooksTests
{
    private const string Consumer = "node-a";
    private const string OutboxFailing = "WebhooksOutboxFailing";
    private static readonly TimeSpan ClaimAfter = TimeSpan.FromSeconds(30);

    private readonly ObservedClock clock = new();
    private readonly ObservedOutbox outbox;
    private readonly RecordingLogger logger = new();
    private readonly InFlightWebhooks inFlight;
    private int acknowledged;

    public InFlightWebhooksTests()
    {
        outbox = new ObservedOutbox(clock);
        inFlight = new InFlightWebhooks(outbox, OutboxTopic.Webhooks, Consumer, () => Interlocked.Increment(ref acknowledged), logger);
    }

    [Fact]
    public async Task An_entry_is_acknowledged_when_its_last_endpoint_is_done_and_not_before()
    {
        var entry = Assert.Single(await TakeAsync(1));
        Assert.True(inFlight.TryBegin(entry.Id));
        await inFlight.ExpectAsync(entry.Id, 3);

        await inFlight.EndpointDoneAsync(entry.Id);
        await inFlight.EndpointDoneAsync(entry.Id);
        Assert.Empty(outbox.Acknowledged);
        Assert.Equal(1, inFlight.Count);
        Assert.Equal(0, acknowledged);

        await inFlight.EndpointDoneAsync(entry.Id);
        Assert.Equal([entry.Id], outbox.Acknowledged);
        Assert.Equal(0, inFlight.Count);
        Assert.Equal(1, acknowledged);
        Assert.Equal(0, await outbox.BacklogAsync(OutboxTopic.Webhooks));
    }

    [Fact]
    public async Task An_entry_no_endpoint_wants_is_acknowledged_at_once()
    {
        var entry = Assert.Single(await TakeAsync(1));
        inFlight.TryBegin(entry.Id);

        await inFlight.ExpectAsync(entry.Id, 0);

        Assert.Equal([entry.Id], outbox.Acknowledged);
        Assert.Equal(0, inFlight.Count);
        Assert.Equal(1, acknowledged);
    }

    [Fact]
    public async Task An_entry_in_progress_is_not_begun_twice()
    {
        var entry = Assert.Single(await TakeAsync(1));

        Assert.True(inFlight.TryBegin(entry.Id));
        Assert.False(inFlight.TryBegin(entry.Id));
        Assert.Equal(1, inFlight.Count);
    }

    [Fact]
    public async Task A_refused_acknowledgement_is_logged_once_and_retried_by_KeepAllAsync()
    {
        var entries = await TakeAsync(2);
        foreach (var entry in entries)
        {
            inFlight.TryBegin(entry.Id);
            await inFlight.ExpectAsync(entry.Id, 1);
        }

        outbox.AcknowledgementsFail = true;
        await inFlight.EndpointDoneAsync(entries[0].Id);
        await inFlight.EndpointDoneAsync(entries[1].Id);
        await inFlight.KeepAllAsync(CancellationToken.None);
        Assert.Empty(outbox.Acknowledged);
        Assert.Equal(2, inFlight.Count);
        Assert.Equal(0, acknowledged);
        Assert.Single(logger.Of(OutboxFailing)); // one outage, one warning

        outbox.AcknowledgementsFail = false;
        await inFlight.KeepAllAsync(CancellationToken.None);
        Assert.Equal(entries.Select(entry => entry.Id).Order(), outbox.Acknowledged.Order());
        Assert.Equal(0, inFlight.Count);
        Assert.Equal(2, acknowledged);
        Assert.Equal(0, await outbox.BacklogAsync(OutboxTopic.Webhooks));

        var later = Assert.Single(await TakeAsync(1, append: 1));
        inFlight.TryBegin(later.Id);
        outbox.AcknowledgementsFail = true;
        await inFlight.ExpectAsync(later.Id, 0);
        Assert.Equal(2, logger.Of(OutboxFailing).Count); // the next outage is told again
    }

    [Fact]
    public async Task KeepAllAsync_renews_the_claims_of_the_entries_in_progress_whether_their_endpoints_are_known_yet_or_not()
    {
        var entries = await TakeAsync(2);
        inFlight.TryBegin(entries[0].Id);
        await inFlight.ExpectAsync(entries[0].Id, 2);
        inFlight.TryBegin(entries[1].Id); // endpoints not known yet: kept, never taken for done

        clock.Advance(TimeSpan.FromSeconds(20));
        await inFlight.KeepAllAsync(CancellationToken.None);
        Assert.Equal(entries.Select(entry => entry.Id).Order(), outbox.Kept.Order());
        Assert.Empty(outbox.Acknowledged);

        clock.Advance(TimeSpan.FromSeconds(20)); // 40 s after the take, 20 s after the renewal
        Assert.Empty(await outbox.TakeAsync(OutboxTopic.Webhooks, "node-b", 10, ClaimAfter));

        clock.Advance(TimeSpan.FromSeconds(10)); // the renewed claim is over
        var retaken = await outbox.TakeAsync(OutboxTopic.Webhooks, "node-b", 10, ClaimAfter);
        Assert.Equal(entries.Select(entry => entry.Id).Order(), retaken.Select(entry => entry.Id).Order());
        Assert.All(retaken, entry => Assert.Equal(2, entry.Deliveries));
    }

    private async Task<IReadOnlyList<OutboxEntry>> TakeAsync(int count, int? append = null)
    {
        for (var n = 1; n <= (append ?? count); n++)
        {
            outbox.Append(WebhookKit.Message($"call-{Guid.NewGuid():N}", n, WebhookKit.Updated, clock.GetUtcNow()));
        }

        var entries = await outbox.TakeAsync(OutboxTopic.Webhooks, Consumer, count, ClaimAfter);
        Assert.Equal(count, entries.Count);
        return entries;
    }
}
