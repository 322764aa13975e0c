using System.Text.Json;
using CallServer.Domain.Calls;
using CallServer.Outbox;
using CallServer.Ports;

namespace CallServer.Push;

/// <summary>What the push services are told of a <see cref="PushJob"/> taken from the outbox.</summary>
public static class PushJobMessage
{
    /// <summary>The message of <paramref name="job"/>; <see cref="JsonException"/> for a kind this node does not know.</summary>
    public static PushMessage Of(PushJob job) => job.Kind switch
    {
        PushJob.IncomingCall => new IncomingCallPush(job.CallId, job.From ?? string.Empty, job.DisplayName, job.Video, job.ExpiresAt),
        PushJob.CallCanceled => new CallCanceledPush(job.CallId, job.Reason ?? nameof(EndReason.Canceled), job.ExpiresAt),
        PushJob.MissedCall => new MissedCallPush(job.CallId, job.From ?? string.Empty, job.DisplayName, job.Video, job.Reason ?? nameof(EndReason.Canceled), job.ExpiresAt),
        _ => throw new JsonException($"an unknown push kind '{job.Kind}'"),
    };
}
