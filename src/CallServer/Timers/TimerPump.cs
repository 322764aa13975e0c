using CallServer.Application;
using CallServer.Configuration;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using CallServer.Observability.Logging;
using CallServer.Observability.Tracing;
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

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

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
                    TimerLog.FiringAgain(logger);
                    failing = false;
                }
            }
            catch (StoreUnavailableException unavailable)
            {
                // The store is away: say so once, not every tick; the timers wait in the store.
                if (!failing)
                {
                    TimerLog.Failing(logger, unavailable.Message);
                    failing = true;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                TimerLog.ClaimFailed(logger, exception);
            }
        }
    }

    /// <summary>
    /// Fires one timer. A timer that could not be fired (the store away, too much contention, a bug) is
    /// not lost: it is scheduled again a second later (and in Redis its claim lease would hand it out
    /// again anyway); firing twice is harmless.
    /// </summary>
    private async Task<bool> FireAsync(DueTimer timer, CancellationToken cancellationToken)
    {
        using var activity = CallServerActivities.StartTimer(timer.CallId, timer.Request.Kind.ToString());
        try
        {
            await calls.FireTimerAsync(timer, cancellationToken);
        }
        catch (CallRefusedException refused) when (refused.Error.Code != ErrorCode.Unavailable)
        {
            TimerLog.TimerDidNothing(logger, timer.CallId, timer.Request.Kind, refused.Error.ToString());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            TimerLog.TimerFailed(logger, exception, timer.CallId, timer.Request.Kind);
            await RetryLaterAsync(timer, cancellationToken);
            return false;
        }

        await queue.CompleteAsync(timer, cancellationToken);
        return true;
    }

    private async Task RetryLaterAsync(DueTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            await queue.ScheduleAsync(timer with { Request = timer.Request with { DueAt = clock.GetUtcNow() + RetryDelay } }, cancellationToken);
            await queue.CompleteAsync(timer, cancellationToken);
        }
        catch (StoreUnavailableException)
        {
            // The store is away: the claim lease hands the timer out again once it is back.
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
                if (await FireAsync(timer, cancellationToken))
                {
                    fired++;
                }
            }
        }
        while (due.Count == BatchSize);

        return fired;
    }
}
