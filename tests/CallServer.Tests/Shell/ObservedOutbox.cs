using CallServer.Adapters.Outbox;
using CallServer.Domain.Ports;

namespace CallServer.Tests.Shell;

/// <summary>
/// The in-memory outbox (<see cref="InMemoryOutbox"/>, on the test's clock) seen by a test: counts the takes
/// (done or failed), the entries taken, renewed and acknowledged, and the most entries ever taken and not
/// acknowledged at once; and a store outage on demand (<see cref="TakesFail"/>, <see cref="AcknowledgementsFail"/>:
/// those operations throw <see cref="StoreUnavailableException"/>). Every change notifies <see cref="Changes"/>.
/// </summary>
public sealed class ObservedOutbox(TimeProvider clock) : IOutbox
{
    private readonly InMemoryOutbox inner = new(clock);
    private readonly Lock gate = new();
    private readonly HashSet<string> outstanding = new(StringComparer.Ordinal);
    private readonly List<OutboxEntry> taken = [];
    private readonly List<string> kept = [];
    private readonly List<string> acknowledged = [];
    private int takes;
    private int failedTakes;
    private int maxOutstanding;
    private volatile bool takesFail;
    private volatile bool acknowledgementsFail;

    public Conditions Changes { get; } = new();

    /// <summary>While true, <see cref="TakeAsync"/> throws <see cref="StoreUnavailableException"/>.</summary>
    public bool TakesFail { get => takesFail; set => takesFail = value; }

    /// <summary>While true, <see cref="AcknowledgeAsync"/> throws <see cref="StoreUnavailableException"/>.</summary>
    public bool AcknowledgementsFail { get => acknowledgementsFail; set => acknowledgementsFail = value; }

    /// <summary>Calls of <see cref="TakeAsync"/> that returned or threw.</summary>
    public int Takes => Locked(() => takes);

    /// <summary>Calls of <see cref="TakeAsync"/> that threw.</summary>
    public int FailedTakes => Locked(() => failedTakes);

    /// <summary>Every entry handed out, in order (one handed out again is here again, with its new count).</summary>
    public IReadOnlyList<OutboxEntry> Taken => Locked(() => taken.ToList());

    /// <summary>The ids of the entries whose claim was renewed, once per renewal.</summary>
    public IReadOnlyList<string> Kept => Locked(() => kept.ToList());

    /// <summary>The ids of the entries acknowledged, once per acknowledgement that succeeded.</summary>
    public IReadOnlyList<string> Acknowledged => Locked(() => acknowledged.ToList());

    /// <summary>The most entries that were ever taken and not yet acknowledged, right after a take.</summary>
    public int MaxOutstanding => Locked(() => maxOutstanding);

    /// <summary>Appends a message (as a call store's save does), as the next entry of its topic.</summary>
    public void Append(OutboxMessage message) => inner.Append(message);

    public async Task<IReadOnlyList<OutboxEntry>> TakeAsync(string topic, string consumer, int max, TimeSpan claimAfter, CancellationToken cancellationToken = default)
    {
        if (TakesFail)
        {
            Record(() => { takes++; failedTakes++; });
            throw new StoreUnavailableException("the test's outbox is away");
        }

        var entries = await inner.TakeAsync(topic, consumer, max, claimAfter, cancellationToken);
        Record(() =>
        {
            takes++;
            taken.AddRange(entries);
            outstanding.UnionWith(entries.Select(entry => entry.Id));
            maxOutstanding = Math.Max(maxOutstanding, outstanding.Count);
        });
        return entries;
    }

    public async Task KeepAsync(string topic, string consumer, string entryId, CancellationToken cancellationToken = default)
    {
        await inner.KeepAsync(topic, consumer, entryId, cancellationToken);
        Record(() => kept.Add(entryId));
    }

    public async Task AcknowledgeAsync(string topic, string entryId, CancellationToken cancellationToken = default)
    {
        if (AcknowledgementsFail)
        {
            throw new StoreUnavailableException("the test's outbox is away");
        }

        await inner.AcknowledgeAsync(topic, entryId, cancellationToken);
        Record(() =>
        {
            acknowledged.Add(entryId);
            outstanding.Remove(entryId);
        });
    }

    /// <summary>Counts as the acknowledgement of <paramref name="entryId"/> (and fails with them).</summary>
    public async Task ForwardAsync(string topic, string entryId, IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken = default)
    {
        if (AcknowledgementsFail)
        {
            throw new StoreUnavailableException("the test's outbox is away");
        }

        await inner.ForwardAsync(topic, entryId, messages, cancellationToken);
        Record(() =>
        {
            acknowledged.Add(entryId);
            outstanding.Remove(entryId);
        });
    }

    public Task<long> BacklogAsync(string topic, CancellationToken cancellationToken = default) => inner.BacklogAsync(topic, cancellationToken);

    private void Record(Action change)
    {
        lock (gate)
        {
            change();
        }

        Changes.Notify();
    }

    private T Locked<T>(Func<T> read)
    {
        lock (gate)
        {
            return read();
        }
    }
}
