namespace CallServer.Tests.Infrastructure;

/// <summary>
/// Bounded polling for a condition no event announces (the server has handled a connection's close):
/// a deadline always ends it. Never used to wait for something an event tells.
/// </summary>
public static class Poll
{
    public static async Task UntilAsync(Func<Task<bool>> condition, string description, TimeSpan? deadline = null)
    {
        var until = DateTimeOffset.UtcNow + (deadline ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTimeOffset.UtcNow >= until)
            {
                Assert.Fail($"{description}: not true within {(deadline ?? TimeSpan.FromSeconds(10)).TotalSeconds:0.#} s");
            }

            await Task.Delay(50); // paces the polling; the condition itself is what is waited for
        }
    }

    /// <summary>Reads <paramref name="read"/> until <paramref name="accept"/> takes what it read; returns that.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> accept, string description, TimeSpan? deadline = null)
    {
        T value = default!;
        await UntilAsync(async () => accept(value = await read()), description, deadline);
        return value;
    }
}
