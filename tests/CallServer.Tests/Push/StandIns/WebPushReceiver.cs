using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using CallServer.Ports;
using CallServer.Push;
using Microsoft.AspNetCore.Http;

namespace CallServer.Tests.Push.StandIns;

/// <summary>How <see cref="WebPushReceiver"/> answers the pushes to one subscription.</summary>
public enum WebPushAnswer
{
    /// <summary>201 Created with a <c>Location</c>.</summary>
    Created,

    /// <summary>404: the subscription never existed or has expired.</summary>
    NotFound,

    /// <summary>410: the subscription was removed.</summary>
    Gone,

    /// <summary>429 with <c>Retry-After: 13</c>.</summary>
    TooManyRequests,

    /// <summary>413: refused for good (payload too large).</summary>
    PayloadTooLarge,

    /// <summary>Never answers until the client gives up (or the receiver stops).</summary>
    Hang,
}

/// <summary>A browser's side of a subscription: its P-256 key pair and auth secret (RFC 8291 §2), and the subscription it hands out.</summary>
public sealed class BrowserSubscription(string id, WebPushSubscription subscription, ECDiffieHellman userAgentKey, byte[] authSecret) : IDisposable
{
    public string Id { get; } = id;

    public WebPushSubscription Subscription { get; } = subscription;

    public ECDiffieHellman UserAgentKey { get; } = userAgentKey;

    public byte[] AuthSecret { get; } = authSecret;

    public void Dispose() => UserAgentKey.Dispose();
}

/// <summary>One push as the receiver got it: its headers, the VAPID JWT, and the decrypted payload.</summary>
public sealed record WebPushDelivery(
    string SubscriptionId,
    string Protocol,
    string? Ttl,
    string? Urgency,
    string? Topic,
    string? ContentEncoding,
    Jwt? Vapid,
    string? VapidPublicKey,
    string? Plaintext,
    IReadOnlyList<string> Problems);

/// <summary>
/// A loopback push service (h2c): one endpoint per subscription (<c>/push/{id}</c>). It decrypts every
/// push body as the browser would (RFC 8291 / RFC 8188 aes128gcm: ECDH with the sender's key from the
/// body header, HKDF with the auth secret, AES-128-GCM records), verifies the VAPID
/// <c>Authorization: vapid t=…, k=…</c> (ES256 JWT signed by k, <c>aud</c>, <c>sub</c>, <c>exp</c>),
/// the <c>TTL</c>, <c>Urgency: high</c> and <c>Topic</c> headers, records it and answers as told per
/// subscription.
/// </summary>
public sealed partial class WebPushReceiver : IAsyncDisposable
{
    private readonly string expectedSubject;
    private readonly ConcurrentDictionary<string, BrowserSubscription> subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WebPushAnswer> answers = new(StringComparer.Ordinal);
    private LoopbackHttp2Server? server;

    private WebPushReceiver(string expectedSubject) => this.expectedSubject = expectedSubject;

    public RequestLog<WebPushDelivery> Deliveries { get; } = new();

    public static async Task<WebPushReceiver> StartAsync(string expectedSubject)
    {
        var receiver = new WebPushReceiver(expectedSubject);
        receiver.server = await LoopbackHttp2Server.StartAsync(receiver.HandleAsync);
        return receiver;
    }

    /// <summary>A new subscription, as a browser's <c>pushManager.subscribe()</c> would make.</summary>
    public BrowserSubscription Subscribe(WebPushAnswer answer = WebPushAnswer.Created)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var authSecret = RandomNumberGenerator.GetBytes(16);
        var subscription = new WebPushSubscription($"{server!.BaseAddress.ToString().TrimEnd('/')}/push/{id}", Base64Url.EncodeToString(UncompressedPoint(key)), Base64Url.EncodeToString(authSecret));
        var browser = new BrowserSubscription(id, subscription, key, authSecret);
        subscriptions[id] = browser;
        answers[id] = answer;
        return browser;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? string.Empty;
        if (!path.StartsWith("/push/", StringComparison.Ordinal) || !subscriptions.TryGetValue(path["/push/".Length..], out var browser))
        {
            context.Response.StatusCode = 404;
            return;
        }

        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var delivery = Receive(context.Request, browser, buffer.ToArray());
        Deliveries.Add(delivery);
        if (delivery.Problems.Count > 0)
        {
            context.Response.StatusCode = delivery.Problems.Any(problem => problem.StartsWith("vapid", StringComparison.Ordinal)) ? 403 : 400;
            await context.Response.WriteAsync(string.Join("; ", delivery.Problems));
            return;
        }

        switch (answers[browser.Id])
        {
            case WebPushAnswer.Created:
                context.Response.StatusCode = 201;
                context.Response.Headers.Location = $"{server!.BaseAddress.ToString().TrimEnd('/')}/message/{Guid.NewGuid():N}";
                break;
            case WebPushAnswer.NotFound:
                context.Response.StatusCode = 404;
                break;
            case WebPushAnswer.Gone:
                context.Response.StatusCode = 410;
                break;
            case WebPushAnswer.TooManyRequests:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "13";
                break;
            case WebPushAnswer.PayloadTooLarge:
                context.Response.StatusCode = 413;
                break;
            case WebPushAnswer.Hang:
                using (var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, server!.Stopping))
                {
                    try
                    {
                        await Task.Delay(Timeout.Infinite, either.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The client gave up.
                    }
                }

                break;
        }
    }

    private WebPushDelivery Receive(HttpRequest request, BrowserSubscription browser, byte[] body)
    {
        var problems = new List<string>();
        if (request.Protocol != "HTTP/2")
        {
            problems.Add($"protocol {request.Protocol}");
        }

        var ttl = request.Headers["TTL"].ToString();
        if (!int.TryParse(ttl, out var seconds) || seconds < 0)
        {
            problems.Add($"TTL {ttl}");
        }

        var urgency = request.Headers["Urgency"].ToString();
        if (urgency != "high")
        {
            problems.Add($"Urgency {urgency}");
        }

        var topic = request.Headers["Topic"].ToString();
        if (!TopicFormat().IsMatch(topic))
        {
            problems.Add($"Topic {topic}");
        }

        var contentEncoding = request.Headers.ContentEncoding.ToString();
        if (contentEncoding != "aes128gcm")
        {
            problems.Add($"Content-Encoding {contentEncoding}");
        }

        var (vapid, vapidKey) = ReadVapid(request.Headers.Authorization.ToString(), problems);
        string? plaintext = null;
        try
        {
            plaintext = Encoding.UTF8.GetString(Aes128Gcm.Decrypt(body, browser.UserAgentKey, browser.AuthSecret));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            problems.Add($"payload does not decrypt: {e.Message}");
        }

        return new WebPushDelivery(browser.Id, request.Protocol, ttl, urgency, topic, contentEncoding, vapid, vapidKey, plaintext, problems);
    }

    /// <summary>Checks <c>vapid t=JWT, k=KEY</c> (RFC 8292 §3): the JWT's ES256 signature by k, its audience, subject and expiry.</summary>
    private (Jwt? Jwt, string? Key) ReadVapid(string authorization, List<string> problems)
    {
        var match = VapidHeader().Match(authorization);
        if (!match.Success)
        {
            problems.Add($"vapid: Authorization is not 'vapid t=…, k=…'");
            return (null, null);
        }

        var key = match.Groups["k"].Value;
        var jwt = Jwt.TryParse(match.Groups["t"].Value);
        if (jwt is null)
        {
            problems.Add("vapid: t is not a JWT");
            return (null, key);
        }

        try
        {
            var point = Base64Url.DecodeFromChars(key);
            using var publicKey = ECDsa.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = point[1..33], Y = point[33..65] },
            });
            if (point.Length != 65 || point[0] != 0x04 || !jwt.VerifiesEs256(publicKey))
            {
                problems.Add("vapid: the JWT's signature does not verify with k");
            }
        }
        catch (Exception e) when (e is FormatException or CryptographicException or ArgumentException)
        {
            problems.Add($"vapid: k is not a P-256 point ({e.GetType().Name})");
        }

        // RFC 8292 §2: aud is the origin of the push resource. Lib.Net.Http.WebPush writes scheme://host
        // (it leaves out the port: right for every real push service, which listens on 443), so that
        // is what a loopback endpoint with its own port receives.
        var endpoint = server!.BaseAddress;
        var audience = $"{endpoint.Scheme}://{endpoint.Host}";
        if (jwt.ClaimString("aud") != audience)
        {
            problems.Add($"vapid: aud {jwt.ClaimString("aud")}");
        }

        if (jwt.ClaimString("sub") != expectedSubject)
        {
            problems.Add($"vapid: sub {jwt.ClaimString("sub")}");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (jwt.ClaimNumber("exp") is not { } exp || exp <= now || exp > now + 24 * 3600)
        {
            problems.Add("vapid: exp not within the next 24 hours");
        }

        return (jwt, key);
    }

    private static byte[] UncompressedPoint(ECDiffieHellman key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    [GeneratedRegex("^vapid t=(?<t>[A-Za-z0-9_\\-\\.]+), ?k=(?<k>[A-Za-z0-9_\\-]+)$")]
    private static partial Regex VapidHeader();

    [GeneratedRegex("^[A-Za-z0-9_\\-]{1,32}$")]
    private static partial Regex TopicFormat();

    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        foreach (var browser in subscriptions.Values)
        {
            browser.Dispose();
        }
    }

    /// <summary>The browser's side of RFC 8291 over RFC 8188's aes128gcm content coding.</summary>
    private static class Aes128Gcm
    {
        private const int TagSize = 16;

        public static byte[] Decrypt(byte[] body, ECDiffieHellman userAgentKey, byte[] authSecret)
        {
            // RFC 8188 §2.1 header: salt (16) | rs (uint32) | idlen (1) | keyid (idlen) = the sender's public key.
            if (body.Length < 21)
            {
                throw new FormatException("shorter than the aes128gcm header");
            }

            var salt = body[..16];
            var recordSize = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
            var keyIdLength = body[20];
            if (keyIdLength != 65 || body.Length < 21 + keyIdLength)
            {
                throw new FormatException($"keyid of {keyIdLength} bytes, not a P-256 point");
            }

            var senderPublic = body[21..(21 + keyIdLength)];
            var records = body[(21 + keyIdLength)..];

            // RFC 8291 §3.3–3.4.
            using var sender = ECDiffieHellman.Create(new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                Q = new ECPoint { X = senderPublic[1..33], Y = senderPublic[33..65] },
            });
            var ecdhSecret = userAgentKey.DeriveRawSecretAgreement(sender.PublicKey);
            var userAgentPublic = UncompressedPoint(userAgentKey);
            byte[] keyInfo = [.. "WebPush: info"u8, 0x00, .. userAgentPublic, .. senderPublic];
            var prkKey = HKDF.Extract(HashAlgorithmName.SHA256, ecdhSecret, authSecret);
            var ikm = HKDF.Expand(HashAlgorithmName.SHA256, prkKey, 32, keyInfo);

            // RFC 8188 §2.2–2.3.
            var prk = HKDF.Extract(HashAlgorithmName.SHA256, ikm, salt);
            var cek = HKDF.Expand(HashAlgorithmName.SHA256, prk, 16, [.. "Content-Encoding: aes128gcm"u8, 0x00]);
            var nonceBase = HKDF.Expand(HashAlgorithmName.SHA256, prk, 12, [.. "Content-Encoding: nonce"u8, 0x00]);

            using var aes = new AesGcm(cek, TagSize);
            var plaintext = new List<byte>();
            var sequence = 0UL;
            for (var offset = 0; offset < records.Length; offset += recordSize, sequence++)
            {
                var record = records.AsSpan(offset, Math.Min(recordSize, records.Length - offset));
                var nonce = (byte[])nonceBase.Clone();
                var counter = new byte[8];
                BinaryPrimitives.WriteUInt64BigEndian(counter, sequence);
                for (var i = 0; i < 8; i++)
                {
                    nonce[4 + i] ^= counter[i];
                }

                var decrypted = new byte[record.Length - TagSize];
                aes.Decrypt(nonce, record[..^TagSize], record[^TagSize..], decrypted);
                var last = offset + recordSize >= records.Length;
                plaintext.AddRange(Unpad(decrypted, last));
            }

            return [.. plaintext];
        }

        /// <summary>Strips the padding: the data, then 0x02 (last record) or 0x01, then zeros.</summary>
        private static byte[] Unpad(byte[] record, bool last)
        {
            var end = record.Length - 1;
            while (end >= 0 && record[end] == 0)
            {
                end--;
            }

            if (end < 0 || record[end] != (last ? 0x02 : 0x01))
            {
                throw new FormatException("no padding delimiter");
            }

            return record[..end];
        }
    }
}
