using CallServer.Domain.Ports;

namespace CallServer.Adapters.Outbox;

/// <summary>
/// One node's outbox: a queue per topic, appended to under the call store's save lock. Taken entries wait
/// for their acknowledgement and are handed out again after the taker's claim period (a worker that failed).
/// </summary>
public sealed class InMemoryOutbox(TimeProvider clock) : IOutbox
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, Topic> topics = new(StringComparer.Ordinal);
    private long nextId;

    public void Append(OutboxMessage message)
    {
        lock (gate)
        {
            var id = (++nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
            TopicOf(message.Topic).Pending.Enqueue(new OutboxEntry(id, message, 0));
        }
    }

    public Task<IReadOnlyList<OutboxEntry>> TakeAsync(string topic, string consumer, int max, TimeSpan claimAfter, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var taken = new List<OutboxEntry>();
        lock (gate)
        {
            var queue = TopicOf(topic);
            // Entries taken again come back in the order they were appended (a dictionary keeps no order).
            foreach (var (id, (entry, takenAt)) in queue.Taken.OrderBy(taken => long.Parse(taken.Key, System.Globalization.CultureInfo.InvariantCulture)).ToList())
            {
                if (taken.Count < max && now - takenAt >= claimAfter)
                {
                    var again = entry with { Deliveries = entry.Deliveries + 1 };
                    queue.Taken[id] = (again, now);
                    taken.Add(again);
                }
            }

            while (taken.Count < max && queue.Pending.TryDequeue(out var entry))
            {
                var first = entry with { Deliveries = 1 };
                queue.Taken[entry.Id] = (first, now);
                taken.Add(first);
            }
        }

        return Task.FromResult<IReadOnlyList<OutboxEntry>>(taken);
    }

    public Task KeepAsync(string topic, string consumer, string entryId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var queue = TopicOf(topic);
            if (queue.Taken.TryGetValue(entryId, out var taken))
            {
                queue.Taken[entryId] = (taken.Entry, clock.GetUtcNow());
            }
        }

        return Task.CompletedTask;
    }

    public Task AcknowledgeAsync(string topic, string entryId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            TopicOf(topic).Taken.Remove(entryId);
        }

        return Task.CompletedTask;
    }

    public Task ForwardAsync(string topic, string entryId, IReadOnlyList<OutboxMessage> messages, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            TopicOf(topic).Taken.Remove(entryId);
            foreach (var message in messages)
            {
                Append(message);
            }
        }

        return Task.CompletedTask;
    }

    public Task<long> BacklogAsync(string topic, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var queue = TopicOf(topic);
            return Task.FromResult((long)(queue.Pending.Count + queue.Taken.Count));
        }
    }

    private Topic TopicOf(string name)
    {
        if (!topics.TryGetValue(name, out var topic))
        {
            topics[name] = topic = new Topic();
        }

        return topic;
    }

    private sealed class Topic
    {
        public Queue<OutboxEntry> Pending { get; } = new();

        public Dictionary<string, (OutboxEntry Entry, DateTimeOffset TakenAt)> Taken { get; } = new(StringComparer.Ordinal);
    }
}
