using System.Collections.Concurrent;
using System.Threading.Channels;

namespace CallServer.Tests.Push.StandIns;

/// <summary>What a stand-in received, in order, with a bounded wait for the next one.</summary>
public sealed class RequestLog<T>
{
    private readonly ConcurrentQueue<T> all = new();
    private readonly Channel<T> arrivals = Channel.CreateUnbounded<T>();

    public IReadOnlyList<T> All => all.ToArray();

    public void Add(T request)
    {
        all.Enqueue(request);
        arrivals.Writer.TryWrite(request);
    }

    /// <summary>The next request not yet taken by this method; fails the test if none arrives within <paramref name="timeout"/>.</summary>
    public async Task<T> NextAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            return await arrivals.Reader.ReadAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no request arrived within {(timeout ?? TimeSpan.FromSeconds(5)).TotalSeconds} s");
        }
    }
}
