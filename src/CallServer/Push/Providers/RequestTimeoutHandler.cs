namespace CallServer.Push.Providers;

/// <summary>
/// Bounds one request, from sending to the last byte of the answer, by <c>Push:RequestTimeout</c>: the
/// answer is read into memory before it is returned (push services answer a few hundred bytes), so no
/// caller can wait on a body that never ends. Past the bound it throws <see cref="TimeoutException"/>.
/// </summary>
public sealed class RequestTimeoutHandler(TimeSpan timeout) : DelegatingHandler
{
    public const int MaxAnswerBytes = 64 * 1024;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        HttpResponseMessage? response = null;
        try
        {
            response = await base.SendAsync(request, bounded.Token).ConfigureAwait(false);
            // At most 64 KiB: push services answer a few hundred bytes; a larger answer fails the request.
            await response.Content.LoadIntoBufferAsync(MaxAnswerBytes, bounded.Token).ConfigureAwait(false);
            return response;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            throw new TimeoutException($"{request.RequestUri?.GetLeftPart(UriPartial.Authority)} did not answer within {timeout.TotalSeconds:0.###} s");
        }
        catch
        {
            response?.Dispose();
            throw;
        }
    }
}
