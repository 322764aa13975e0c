using Microsoft.Extensions.Options;

namespace CallServer.Configuration;

/// <summary>Refuses to start with a <c>History:*</c> bound or period that is not positive (each failure names its key).</summary>
public sealed class HistoryOptionsValidator : IValidateOptions<HistoryOptions>
{
    public ValidateOptionsResult Validate(string? name, HistoryOptions options)
    {
        var failures = new List<string>();
        if (options.MaxEntriesPerUser <= 0)
        {
            failures.Add($"{HistoryOptions.Section}:MaxEntriesPerUser must be positive.");
        }

        if (options.MaxAge <= TimeSpan.Zero)
        {
            failures.Add($"{HistoryOptions.Section}:MaxAge must be positive.");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{HistoryOptions.Section}:PollInterval must be positive.");
        }

        if (options.ClaimAfter < Outbox.OutboxWorkerSettings.MinClaimAfter)
        {
            failures.Add($"{HistoryOptions.Section}:ClaimAfter must be at least {Outbox.OutboxWorkerSettings.MinClaimAfter.TotalMilliseconds} ms.");
        }

        if (options.MaxConcurrentWrites <= 0)
        {
            failures.Add($"{HistoryOptions.Section}:MaxConcurrentWrites must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
