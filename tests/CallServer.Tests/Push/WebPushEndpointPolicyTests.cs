using CallServer.Configuration;

namespace CallServer.Tests.Push;

/// <summary>Which Web Push endpoints a subscription may name: the browsers' push services, loopback only for tests.</summary>
public sealed class WebPushEndpointPolicyTests
{
    [Theory]
    [InlineData("https://fcm.googleapis.com/fcm/send/abc", true)]
    [InlineData("https://updates.push.services.mozilla.com/wpush/v2/abc", true)]
    [InlineData("https://web.push.apple.com/QGkz", true)]
    [InlineData("https://wns2-db5p.notify.windows.com/w/?token=abc", true)]
    [InlineData("https://FCM.googleapis.com/fcm/send/abc", true)]
    [InlineData("https://evil-fcm.googleapis.com.example/x", false)]
    [InlineData("https://googleapis.com/x", false)]
    [InlineData("https://push.example.net/x", false)]
    [InlineData("https://10.0.0.7/x", false)]
    [InlineData("https://[::1]/x", false)]
    [InlineData("https://fcm.googleapis.com:8443/x", false)]
    [InlineData("http://fcm.googleapis.com/x", false)]
    [InlineData("http://127.0.0.1:9000/push", false)]
    [InlineData("https://localhost/push", false)]
    public void By_default_only_the_browsers_push_services_over_https(string endpoint, bool accepted)
    {
        Assert.Equal(accepted, new WebPushOptions().Accepts(new Uri(endpoint)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:9000/push", true)]
    [InlineData("http://[::1]:9000/push", true)]
    [InlineData("http://10.0.0.7:9000/push", false)]
    [InlineData("http://push.example.net/push", false)]
    public void Loopback_stand_ins_only_when_allowed(string endpoint, bool accepted)
    {
        Assert.Equal(accepted, new WebPushOptions { AllowLoopbackEndpoints = true }.Accepts(new Uri(endpoint)));
    }
}
