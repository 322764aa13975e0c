using System.Text;

namespace CallServer.Domain.Tests;

/// <summary>
/// Builds browser-like SDP (what Chrome's <c>createOffer</c>/<c>createAnswer</c> write), with the
/// directions and ports a test needs. Lines end with CRLF, as on the wire.
/// </summary>
internal static class TestSdp
{
    /// <summary>Pass as a direction to leave the section without a direction attribute.</summary>
    public const string NoDirection = "";

    /// <summary>
    /// An offer. <paramref name="audio"/>/<paramref name="video"/> are the sections' direction
    /// attributes (<c>sendrecv</c>, <c>sendonly</c>, <c>recvonly</c>, <c>inactive</c>, or
    /// <see cref="NoDirection"/>); null leaves the section out. <paramref name="session"/> adds a
    /// session-level direction attribute.
    /// </summary>
    public static string Offer(
        string? audio = "sendrecv",
        string? video = null,
        string? session = null,
        int audioPort = 9,
        int videoPort = 9,
        bool dataChannel = false) =>
        Build("actpass", audio, video, session, audioPort, videoPort, dataChannel);

    /// <summary>An answer: the same shape, written by the answering side (setup:active).</summary>
    public static string Answer(string? audio = "sendrecv", string? video = null, int videoPort = 9) =>
        Build("active", audio, video, session: null, audioPort: 9, videoPort: videoPort, dataChannel: false);

    /// <summary>The seeds' three offers.</summary>
    public static string AudioOffer => Offer();

    public static string AudioWithInactiveVideoOffer => Offer(video: "inactive");

    public static string VideoOffer => Offer(video: "sendrecv");

    /// <summary>RFC 3264 §8.4 hold: the holding side stops receiving.</summary>
    public static string HoldOffer => Offer(audio: "sendonly");

    public static string UnholdOffer => Offer(audio: "sendrecv");

    /// <summary>An offer padded with a= lines to exactly <paramref name="length"/> characters.</summary>
    public static string OfferOfLength(int length)
    {
        var offer = new StringBuilder(Offer());
        if (length - offer.Length is > 0 and < 5)
        {
            throw new ArgumentOutOfRangeException(nameof(length), "too close to the base offer's length");
        }

        while (length - offer.Length > 1010)
        {
            offer.Append("a=x-pad:").Append('p', 990).Append("\r\n");
        }

        var rest = length - offer.Length;
        if (rest > 0)
        {
            offer.Append("a=").Append('q', rest - 4).Append("\r\n");
        }

        return offer.ToString();
    }

    private static string Build(string setup, string? audio, string? video, string? session, int audioPort, int videoPort, bool dataChannel)
    {
        var mids = new List<string>();
        if (audio is not null)
        {
            mids.Add("0");
        }

        if (video is not null)
        {
            mids.Add("1");
        }

        if (dataChannel)
        {
            mids.Add("2");
        }

        var sdp = new StringBuilder();
        Line(sdp, "v=0");
        Line(sdp, "o=- 4611731400430051336 2 IN IP4 127.0.0.1");
        Line(sdp, "s=-");
        Line(sdp, "t=0 0");
        if (mids.Count > 0)
        {
            Line(sdp, "a=group:BUNDLE " + string.Join(' ', mids));
        }

        Line(sdp, "a=extmap-allow-mixed");
        Line(sdp, "a=msid-semantic: WMS 3a1b2c");
        if (!string.IsNullOrEmpty(session))
        {
            Line(sdp, "a=" + session);
        }

        if (audio is not null)
        {
            Line(sdp, $"m=audio {audioPort} UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126");
            Transport(sdp, setup, "0");
            Direction(sdp, audio);
            Line(sdp, "a=msid:3a1b2c 8f2e-audio");
            Line(sdp, "a=rtcp-mux");
            Line(sdp, "a=rtpmap:111 opus/48000/2");
            Line(sdp, "a=rtcp-fb:111 transport-cc");
            Line(sdp, "a=fmtp:111 minptime=10;useinbandfec=1");
            Line(sdp, "a=rtpmap:63 red/48000/2");
            Line(sdp, "a=rtpmap:9 G722/8000");
            Line(sdp, "a=rtpmap:0 PCMU/8000");
            Line(sdp, "a=rtpmap:8 PCMA/8000");
            Line(sdp, "a=rtpmap:13 CN/8000");
            Line(sdp, "a=rtpmap:110 telephone-event/48000");
            Line(sdp, "a=rtpmap:126 telephone-event/8000");
            Line(sdp, "a=ssrc:1001 cname:q8Zr7Kd0uVb2e3Yh");
        }

        if (video is not null)
        {
            Line(sdp, $"m=video {videoPort} UDP/TLS/RTP/SAVPF 96 97 102 103");
            Transport(sdp, setup, "1");
            Direction(sdp, video);
            Line(sdp, "a=msid:3a1b2c 8f2e-video");
            Line(sdp, "a=rtcp-mux");
            Line(sdp, "a=rtcp-rsize");
            Line(sdp, "a=rtpmap:96 VP8/90000");
            Line(sdp, "a=rtcp-fb:96 goog-remb");
            Line(sdp, "a=rtcp-fb:96 nack pli");
            Line(sdp, "a=rtpmap:97 rtx/90000");
            Line(sdp, "a=fmtp:97 apt=96");
            Line(sdp, "a=rtpmap:102 H264/90000");
            Line(sdp, "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f");
            Line(sdp, "a=rtpmap:103 rtx/90000");
            Line(sdp, "a=fmtp:103 apt=102");
        }

        if (dataChannel)
        {
            Line(sdp, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
            Transport(sdp, setup, "2");
            Line(sdp, "a=sctp-port:5000");
            Line(sdp, "a=max-message-size:262144");
        }

        return sdp.ToString();
    }

    private static void Transport(StringBuilder sdp, string setup, string mid)
    {
        Line(sdp, "c=IN IP4 0.0.0.0");
        Line(sdp, "a=rtcp:9 IN IP4 0.0.0.0");
        Line(sdp, "a=ice-ufrag:Xq7b");
        Line(sdp, "a=ice-pwd:4V0fC7yJ2uZ8sQ1eR6tK3mN9");
        Line(sdp, "a=ice-options:trickle");
        Line(sdp, "a=fingerprint:sha-256 6B:8B:5D:EA:59:04:20:23:29:C8:87:1C:CC:87:32:BE:DD:8C:66:A5:8E:50:55:EA:8C:D3:B6:5C:09:5E:D6:BC");
        Line(sdp, "a=setup:" + setup);
        Line(sdp, "a=mid:" + mid);
    }

    private static void Direction(StringBuilder sdp, string direction)
    {
        if (direction.Length > 0)
        {
            Line(sdp, "a=" + direction);
        }
    }

    private static void Line(StringBuilder sdp, string line) => sdp.Append(line).Append("\r\n");
}
