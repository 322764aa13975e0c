namespace CallServer.Tests.Shell;

/// <summary>
/// What a test waits for in place of sleeping: a condition over state the code under test changes, checked
/// when it is awaited and again at every <see cref="Notify"/> (each change calls it), failing the test with
/// a <see cref="TimeoutException"/> when not met within <see cref="Bound"/>.
/// </summary>
public sealed class Conditions
{
    /// <summary>The longest a test waits for something that is bound to happen.</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(15); // generous: a loaded CI machine, not a speed check

    private readonly Lock gate = new();
    private readonly List<(Func<bool> Holds, TaskCompletionSource Met)> waiting = [];

    /// <summary>Completes once <paramref name="holds"/> is true; throws <see cref="TimeoutException"/> naming <paramref name="what"/> after <see cref="Bound"/>.</summary>
    public async Task Until(Func<bool> holds, string what)
    {
        var met = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (holds())
            {
                return;
            }

            waiting.Add((holds, met));
        }

        try
        {
            await met.Task.WaitAsync(Bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"not within {Bound.TotalSeconds} s: {what}");
        }
        finally
        {
            lock (gate)
            {
                waiting.RemoveAll(w => w.Met == met);
            }
        }
    }

    /// <summary>Something changed: completes the conditions that hold now.</summary>
    public void Notify()
    {
        lock (gate)
        {
            foreach (var (holds, met) in waiting)
            {
                if (holds())
                {
                    met.TrySetResult();
                }
            }
        }
    }
}
