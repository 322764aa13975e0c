using System.Net;
using CallServer.Configuration;
using Google.Apis.Http;
using Microsoft.Extensions.Options;

namespace CallServer.Push.Providers;

/// <summary>
/// The one connection pool of the push providers and the HTTP clients over it. Each client's requests
/// go through <see cref="RequestTimeoutHandler"/> then <see cref="Http2VersionHandler"/>; the pool
/// neither follows redirects nor decompresses (Google's client does its own decompression).
/// </summary>
public sealed class PushHttpPipeline(IOptions<PushOptions> options, PushUserAgent userAgent) : IDisposable
{
    private readonly TimeSpan timeout = options.Value.RequestTimeout;
    private readonly string userAgent = userAgent.Value;
    private readonly SocketsHttpHandler connections = new()
    {
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = options.Value.RequestTimeout,
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
    };

    /// <summary>A client for one provider; <paramref name="httpsPolicy"/> says whether https may fall back from HTTP/2.</summary>
    public HttpClient CreateClient(HttpVersionPolicy httpsPolicy)
    {
        var client = new HttpClient(CreateChain(httpsPolicy), disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.TryAddWithoutValidation("user-agent", userAgent);
        return client;
    }

    /// <summary>For Google.Apis.Auth, so that its token requests use this pool, this timeout and HTTP/2 as well.</summary>
    public Google.Apis.Http.IHttpClientFactory CreateGoogleClientFactory()
    {
        var chain = CreateChain(HttpVersionPolicy.RequestVersionOrLower);
        return new HttpClientFromMessageHandlerFactory(
            _ => new HttpClientFromMessageHandlerFactory.ConfiguredHttpMessageHandler(chain, performsAutomaticDecompression: false, handlesRedirect: false));
    }

    // The chains are never disposed (disposing one would dispose the shared pool under the others): the pool is.
    private HttpMessageHandler CreateChain(HttpVersionPolicy httpsPolicy) =>
        new RequestTimeoutHandler(timeout) { InnerHandler = new Http2VersionHandler(httpsPolicy) { InnerHandler = connections } };

    public void Dispose() => connections.Dispose();
}
