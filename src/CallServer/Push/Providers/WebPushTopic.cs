using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CallServer.Push.Providers;

/// <summary>
/// The Web Push <c>Topic</c> of a push (RFC 8030 §5.4): 32 base64url characters from a hash of its
/// <see cref="Ports.PushMessage.CollapseKey"/>: the same for a call's incoming-call push and its cancel, so that a
/// push service still holding the first replaces it with the cancel; another for its missed-call push.
/// </summary>
public static class WebPushTopic
{
    public static string For(string collapseKey) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(collapseKey)).AsSpan(0, 24));
}
