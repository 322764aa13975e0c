using CallServer.Cluster;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Observability.Metrics;
using CallServer.Outbox;
using CallServer.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Webhooks;

/// <summary>
/// Runs on every node; the node holding the webhooks lease (<see cref="ILeaderLease"/>) delivers, the others
/// wait to take over. One deliverer at a time is what keeps each call's events in order at every endpoint;
/// the outbox keeps them until delivered, so a leader that dies leaves its unfinished events to the next
/// (at least once). During a term the leader runs a <see cref="WebhookTerm"/>: the fan-out and one pump per receiver. Does nothing when no endpoint is configured.
/// </summary>
public sealed class WebhookDispatcher(
    ILeaderLease lease,
    IOutbox outbox,
    OutboxSignal signal,
    WebhookDelivery delivery,
    NodeIdentity node,
    IOptions<WebhooksOptions> options,
    CallServerMetrics metrics,
    TimeProvider clock,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var endpoints = WebhookEndpoint.From(options.Value);
        if (endpoints.Count == 0)
        {
            return;
        }

        var wakeups = WebhookWakeups.Listen(signal, endpoints);
        var outboxSettings = new OutboxWorkerSettings(options.Value.PollInterval, options.Value.ClaimAfter, options.Value.MaxInFlight);
        var pumpSettings = new WebhookPump.Settings(outboxSettings, options.Value.FailingWarningAfter);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var term = await lease.TryAcquireAsync(stoppingToken);
                if (term is null)
                {
                    await Task.Delay(lease.RetryInterval, clock, stoppingToken);
                    continue;
                }

                await using (term)
                {
                    WebhookLog.LeaderTaken(logger, node.Id);
                    using var both = CancellationTokenSource.CreateLinkedTokenSource(term.Token, stoppingToken);
                    await new WebhookTerm(outbox, pumpSettings, wakeups, endpoints, delivery, node.Id, metrics, clock, logger).RunAsync(both.Token);
                }

                if (stoppingToken.IsCancellationRequested)
                {
                    WebhookLog.LeaderLeft(logger, node.Id);
                }
                else
                {
                    WebhookLog.LeaderLost(logger, node.Id, "another node holds it, or it could not be renewed in time");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
