namespace CallServer.Ports;

/// <summary>The push services a registration can name (<c>"apns"</c>, <c>"fcm"</c>, <c>"webpush"</c> on the wire).</summary>
public enum PushPlatform
{
    Apns,
    Fcm,
    WebPush,
}
