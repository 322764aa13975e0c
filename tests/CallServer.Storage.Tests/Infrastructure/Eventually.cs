namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes (instead of sleeping for a guessed time).</summary>
public static class Eventually
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(20);

    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }

                last = null;
            }
            catch (Exception exception)
            {
                last = exception;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}", last);
            }

            await Task.Delay(Pause);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        TrueAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Tries <paramref name="action"/> until it completes without throwing, or a deadline passes.</summary>
    public static Task SucceedsAsync(Func<Task> action, TimeSpan timeout, string what) =>
        TrueAsync(
            async () =>
            {
                await action();
                return true;
            },
            timeout,
            what);
}
