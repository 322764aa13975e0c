using CallServer.Ports;

namespace CallServer.Push.Providers;

/// <summary>A request that got no answer (timeout, refused or broken connection): always worth a retry.</summary>
public static class TransportFailure
{
    /// <summary>The outcome for <paramref name="error"/>, or null when it is not a transport failure (or the caller cancelled).</summary>
    public static PushOutcome? Outcome(Exception error, CancellationToken cancellationToken) => error switch
    {
        _ when cancellationToken.IsCancellationRequested => null,
        TimeoutException => new PushOutcome(PushOutcomeKind.Retry, Reason: "Timeout"),
        HttpRequestException request => new PushOutcome(PushOutcomeKind.Retry, Reason: request.HttpRequestError.ToString()),
        OperationCanceledException => new PushOutcome(PushOutcomeKind.Retry, Reason: "Timeout"),
        _ => null,
    };
}
