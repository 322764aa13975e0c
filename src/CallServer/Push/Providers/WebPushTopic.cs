using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace CallServer.Push.Providers;

/// <summary>
/// The Web Push <c>Topic</c> of a call (RFC 8030 §5.4): 32 base64url characters from a hash of the call
/// id, the same for every push of the call, so that a push service still holding the incoming-call push
/// replaces it with the cancel.
/// </summary>
public static class WebPushTopic
{
    public static string For(string callId) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(callId)).AsSpan(0, 24));
}
