using CallServer.Application;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Timers;

/// <summary>Claims the due timers every poll interval and fires each once (not a Task.Delay per call).</summary>
public sealed class TimerPump(
    ITimerQueue queue,
    CallService calls,
    IOptions<CallsOptions> options,
    TimeProvider clock,
    ILogger<TimerPump> logger) : BackgroundService
{
    private const int BatchSize = 256;

    private bool failing;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var ticker = new PeriodicTimer(options.Value.TimerPollInterval, clock);
        while (await ticker.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await FireDueAsync(stoppingToken);
                if (failing)
                {
                    logger.LogInformation("Timers are firing again");
                    failing = false;
                }
            }
            catch (CallRefusedException refused) when (refused.Error.Code == ErrorCode.Unavailable)
            {
                // The store is away: say so once, not every tick; the timers wait in the store.
                if (!failing)
                {
                    logger.LogWarning("Timers cannot be claimed: {Error}", refused.Error);
                    failing = true;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Claiming due timers failed; trying again next tick");
            }
        }
    }

    /// <summary>Fires every timer due now; returns how many fired.</summary>
    public async Task<int> FireDueAsync(CancellationToken cancellationToken)
    {
        var fired = 0;
        IReadOnlyList<DueTimer> due;
        do
        {
            due = await queue.ClaimDueAsync(clock.GetUtcNow(), BatchSize, cancellationToken);
            foreach (var timer in due)
            {
                try
                {
                    await calls.FireTimerAsync(timer, cancellationToken);
                    fired++;
                }
                catch (CallRefusedException refused) when (refused.Error.Code != ErrorCode.Unavailable)
                {
                    logger.LogDebug("Call {CallId}: {Kind} timer did nothing: {Error}", timer.CallId, timer.Request.Kind, refused.Error);
                }

                await queue.CompleteAsync(timer, cancellationToken);
            }
        }
        while (due.Count == BatchSize);

        return fired;
    }
}
