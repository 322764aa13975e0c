namespace CallServer.Tests.Infrastructure;

/// <summary>Browser-like SDP bodies (what Chrome's createOffer/createAnswer produce, shortened).</summary>
public static class Sdp
{
    /// <summary>The seeds' establishAudioCall(): a single audio m-line.</summary>
    public static string Audio(string audio = "sendrecv") => Session(AudioSection(audio));

    /// <summary>The seeds' establishCall(false): audio plus an inactive video m-line.</summary>
    public static string AudioWithInactiveVideo(string audio = "sendrecv") => Session(AudioSection(audio), VideoSection("inactive"));

    /// <summary>The seeds' establishCall(true), or any offer with a video m-line in <paramref name="video"/>.</summary>
    public static string Video(string audio = "sendrecv", string video = "sendrecv") => Session(AudioSection(audio), VideoSection(video));

    /// <summary>A body of about <paramref name="length"/> characters (padded with a long attribute).</summary>
    public static string Padded(int length)
    {
        var body = Audio();
        return body + "a=x-padding:" + new string('p', Math.Max(0, length - body.Length - 14)) + "\r\n";
    }

    private static string Session(params string[] sections)
    {
        var mids = string.Join(' ', Enumerable.Range(0, sections.Length));
        var header =
            $"v=0\r\no=- {Random.Shared.NextInt64(1, long.MaxValue)} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" +
            $"a=group:BUNDLE {mids}\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS stream0\r\n";
        return header + string.Concat(sections.Select((s, i) => s.Replace("{mid}", i.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
    }

    private static string AudioSection(string direction) =>
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\n" +
        "c=IN IP4 0.0.0.0\r\n" +
        "a=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:Kd3s\r\n" +
        "a=ice-pwd:qVPnmZ1kQbF2vQpGx0l9Yh3T\r\n" +
        "a=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3D:17:8B:5A:55:E3:1F:2F:29:A1:B5:0C\r\n" +
        "a=setup:actpass\r\n" +
        "a=mid:{mid}\r\n" +
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n" +
        $"a={direction}\r\n" +
        "a=msid:stream0 audio0\r\n" +
        "a=rtcp-mux\r\n" +
        "a=rtpmap:111 opus/48000/2\r\n" +
        "a=rtcp-fb:111 transport-cc\r\n" +
        "a=fmtp:111 minptime=10;useinbandfec=1\r\n" +
        "a=rtpmap:0 PCMU/8000\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=ssrc:1001 cname:host-tests\r\n";

    private static string VideoSection(string direction) =>
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102\r\n" +
        "c=IN IP4 0.0.0.0\r\n" +
        "a=rtcp:9 IN IP4 0.0.0.0\r\n" +
        "a=ice-ufrag:Kd3s\r\n" +
        "a=ice-pwd:qVPnmZ1kQbF2vQpGx0l9Yh3T\r\n" +
        "a=ice-options:trickle\r\n" +
        "a=fingerprint:sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3D:17:8B:5A:55:E3:1F:2F:29:A1:B5:0C\r\n" +
        "a=setup:actpass\r\n" +
        "a=mid:{mid}\r\n" +
        $"a={direction}\r\n" +
        "a=msid:stream0 video0\r\n" +
        "a=rtcp-mux\r\n" +
        "a=rtcp-rsize\r\n" +
        "a=rtpmap:96 VP8/90000\r\n" +
        "a=rtcp-fb:96 nack\r\n" +
        "a=rtcp-fb:96 nack pli\r\n" +
        "a=rtpmap:97 rtx/90000\r\n" +
        "a=fmtp:97 apt=96\r\n" +
        "a=rtpmap:102 H264/90000\r\n" +
        "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n" +
        "a=ssrc:2001 cname:host-tests\r\n";

    /// <summary>A host candidate for m-line <paramref name="index"/>.</summary>
    public static IceCandidateInit Candidate(int index, int port = 50000) =>
        new($"candidate:{port} 1 udp 2122260223 127.0.0.1 {port} typ host generation 0 ufrag Kd3s network-id 1", index.ToString(System.Globalization.CultureInfo.InvariantCulture), index);
}
