using CallServer.Domain.Addresses;

namespace CallServer.Ports;

/// <summary>
/// One app installation of <see cref="Account"/> that can be woken by a push: an APNs or FCM device
/// token, or a Web Push subscription. <see cref="RegistrationId"/> is chosen by the app (one per
/// installation); <see cref="AppId"/> is the APNs topic or FCM app when the app names one.
/// </summary>
public sealed record PushRegistration(
    string RegistrationId,
    Address Account,
    PushPlatform Platform,
    string? Token,
    WebPushSubscription? Subscription,
    string? AppId,
    DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// APNs only (issue 20): the app's regular (alert) device token, beside its PushKit VoIP <see cref="Token"/>: where a
    /// missed-call notification goes (a VoIP push must report a call to CallKit, so it cannot carry one). None: no
    /// missed-call push to this installation.
    /// </summary>
    public string? AlertToken { get; init; }
}

/// <summary>A browser's Web Push subscription (the W3C Push API's <c>PushSubscription.toJSON()</c>).</summary>
public sealed record WebPushSubscription(string Endpoint, string P256dh, string Auth);
