using CallServer.Tests.Infrastructure;
using CallServer.Tests.Push.StandIns;

namespace CallServer.Tests.Push;

/// <summary>
/// A CallServer (in memory) whose APNs is a loopback stand-in and whose Web Push subscriptions point at a
/// loopback push service; both started before the server. Push requests are bounded by 5 s, so a stand-in
/// that hangs is a push service that answers in 5 s.
/// </summary>
public sealed class PushWakeFixture : CallServerFixture
{
    public const string TeamId = "TEAMID1234";
    public const string KeyId = "KEYID56789";
    public const string Topic = "com.example.softphone";
    public const string VapidSubject = "mailto:ops@example.com";

    private readonly ApnsTestKey apnsKey = new();

    public ApnsStandIn Apns { get; private set; } = null!;

    public WebPushReceiver WebPush { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Apns = await ApnsStandIn.StartAsync(apnsKey.PublicKey, KeyId, TeamId);
        WebPush = await WebPushReceiver.StartAsync(VapidSubject);
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Apns.DisposeAsync();
        await WebPush.DisposeAsync();
        apnsKey.Dispose();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        settings["Push:Apns:Endpoint"] = Apns.Endpoint;
        settings["Push:Apns:TeamId"] = TeamId;
        settings["Push:Apns:KeyId"] = KeyId;
        settings["Push:Apns:PrivateKey"] = apnsKey.Pkcs8Pem;
        settings["Push:Apns:Topic"] = Topic;
        settings["Push:WebPush:Subject"] = VapidSubject;
        settings["Push:WebPush:AllowLoopbackEndpoints"] = "true";
        settings["Push:RequestTimeout"] = "00:00:05";
        settings["Push:MaxRegistrationsPerUser"] = "3";
    }
}
