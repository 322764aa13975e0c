using CallServer.Application;
using CallServer.Configuration;
using CallServer.Hubs;
using CallServer.Observability.Logging;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace CallServer.Hubs;

/// <summary>
/// On SIGTERM: the node reports not ready (so the load balancer stops sending it clients), tells its
/// connected clients <c>ServerDraining</c> (reconnect elsewhere and ResumeCall), and lets the host close
/// the connections. Closing a connection only starts its calls' reconnect grace; no call is ended.
/// </summary>
public sealed class NodeDrain(IHostApplicationLifetime lifetime, IHubContext<CallHub> hub, IOptions<DrainOptions> options, ILogger<NodeDrain> logger) : IHostedService
{
    public bool IsDraining { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() =>
        {
            IsDraining = true;
            ClusterLog.Draining(logger);
            try
            {
                // Stopping callbacks run before the host closes the connections: send, then give the
                // message (and the load balancer's readiness probe) the drain delay before they close.
                hub.Clients.All.SendAsync(HubEvents.ServerDraining, CancellationToken.None).Wait(TimeSpan.FromSeconds(5));
                Task.Delay(options.Value.Delay).Wait();
            }
            catch (Exception exception) when (exception is AggregateException or OperationCanceledException)
            {
                ClusterLog.DrainNotifyFailed(logger, exception);
            }
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
