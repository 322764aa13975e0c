using Microsoft.Extensions.Options;

namespace CallServer.Transfers;

/// <summary><c>Transfers:*</c>: how the outbox of transfer progress (a transfer's new call → the call it replaces) is worked.</summary>
public sealed class TransfersOptions
{
    public const string Section = "Transfers";

    /// <summary>How often each node looks for progress whose node died before applying it (its own is applied at once).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Progress taken by a node that then stops working on it (the node died) is taken by another after this.</summary>
    public TimeSpan ClaimAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Progress messages one node applies at once.</summary>
    public int MaxInFlight { get; set; } = 64;
}

/// <summary>Checks <see cref="TransfersOptions"/> at start.</summary>
public sealed class TransfersOptionsValidator : IValidateOptions<TransfersOptions>
{
    public ValidateOptionsResult Validate(string? name, TransfersOptions options)
    {
        var failures = new List<string>();
        if (options.PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"{TransfersOptions.Section}:PollInterval must be positive.");
        }

        if (options.ClaimAfter < Outbox.OutboxWorkerSettings.MinClaimAfter)
        {
            failures.Add($"{TransfersOptions.Section}:ClaimAfter must be at least {Outbox.OutboxWorkerSettings.MinClaimAfter.TotalMilliseconds} ms.");
        }

        if (options.MaxInFlight <= 0)
        {
            failures.Add($"{TransfersOptions.Section}:MaxInFlight must be positive.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
