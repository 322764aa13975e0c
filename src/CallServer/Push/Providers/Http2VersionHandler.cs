using System.Net;

namespace CallServer.Push.Providers;

/// <summary>
/// Speaks HTTP/2 to push services: <c>http://</c> with prior knowledge (h2c, how the loopback stand-ins
/// listen), <c>https://</c> negotiated by ALPN with <paramref name="httpsPolicy"/>. Every request
/// passes through it, the ones that Lib.Net.Http.WebPush and Google.Apis.Auth build themselves too.
/// </summary>
public sealed class Http2VersionHandler(HttpVersionPolicy httpsPolicy) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = request.RequestUri is { Scheme: "http" } ? HttpVersionPolicy.RequestVersionExact : httpsPolicy;
        return base.SendAsync(request, cancellationToken);
    }
}
