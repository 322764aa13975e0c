namespace CallServer.Outbox;

/// <summary>
/// The outbox topics: one per kind of work a call change leaves behind, each with its own worker, payload
/// (<see cref="OutboxJson"/>) and worker settings (<see cref="OutboxWorkerSettings"/>). A new side effect of
/// a call change is a topic here, a payload, a line in <see cref="CallOutbox.MessagesOf"/> and a worker.
/// </summary>
public static class OutboxTopic
{
    /// <summary><see cref="PushJob"/>: wake an account's phones, or stop them ringing.</summary>
    public const string Push = "push";

    /// <summary><see cref="WebhookEventPayload"/>: one lifecycle event of a call for the webhook receivers.</summary>
    public const string Webhooks = "webhooks";

    /// <summary><see cref="HistoryPayload"/>: the record of an ended call for its parties' histories.</summary>
    public const string History = "history";

    /// <summary><see cref="TransferProgressPayload"/>: a call placed by a transfer rang, was answered or ended; the call it replaces is told.</summary>
    public const string Transfers = "transfers";

    public static readonly IReadOnlyList<string> All = [Push, Webhooks, History, Transfers];
}
