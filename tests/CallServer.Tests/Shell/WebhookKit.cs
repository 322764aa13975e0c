using System.Security.Cryptography;
using CallServer.Configuration;
using CallServer.Domain.Ports;
using CallServer.Outbox;
using CallServer.Webhooks;

namespace CallServer.Tests.Shell;

/// <summary>The webhook endpoints, events and outbox messages the webhook shell tests are made of.</summary>
internal static class WebhookKit
{
    /// <summary>The type only a picky endpoint wants.</summary>
    public const string Ended = "call.ended";

    public const string Updated = "call.updated";

    /// <summary>Endpoints at <c>http://receiver.test/{name}</c>, each with a fresh secret, wanting <paramref name="events"/> (all when null).</summary>
    public static IReadOnlyList<WebhookEndpoint> Endpoints(params (string Name, string[]? Events)[] endpoints) =>
        WebhookEndpoint.From(new WebhooksOptions
        {
            Endpoints = [.. endpoints.Select(endpoint => new WebhookEndpointOptions
            {
                Url = $"http://receiver.test/{endpoint.Name}",
                Secret = "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
                Events = [.. endpoint.Events ?? []],
            })],
        });

    /// <summary>Event number <paramref name="n"/> of <paramref name="callId"/>, as a lane is given it; its id says both.</summary>
    public static WebhookEvent Event(string callId, int n, DateTimeOffset at) => new(Id(callId, n), Updated, at, callId, "{}");

    /// <summary>The <c>webhook-id</c> of event number <paramref name="n"/> of <paramref name="callId"/>.</summary>
    public static string Id(string callId, int n) => $"msg_{callId}_{n}";

    /// <summary>Event number <paramref name="n"/> of <paramref name="callId"/> as the outbox holds it.</summary>
    public static OutboxMessage Message(string callId, int n, string type, DateTimeOffset at) =>
        new(OutboxTopic.Webhooks, callId, OutboxJson.Write(new WebhookEventPayload
        {
            Id = Id(callId, n),
            Type = type,
            Timestamp = at.UtcDateTime,
            Data = new WebhookCallData { CallId = callId, Caller = "alice@callserver.local", Callee = "bob@callserver.local", State = "Ringing" },
        }));
}
