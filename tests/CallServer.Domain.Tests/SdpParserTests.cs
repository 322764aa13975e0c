using CallServer.Domain.Errors;
using CallServer.Domain.Sdp;

namespace CallServer.Domain.Tests;

public sealed class SdpParserTests
{
    private static SdpSummary Parsed(string sdp)
    {
        var (summary, error) = SdpParser.Parse(sdp);
        Assert.Null(error);
        Assert.NotNull(summary);
        return summary;
    }

    private static DomainError Refused(string? sdp)
    {
        var (summary, error) = SdpParser.Parse(sdp);
        Assert.Null(summary);
        Assert.NotNull(error);
        return error;
    }

    [Theory]
    [InlineData("sendrecv", null, OfferKind.Audio)]
    [InlineData("sendrecv", "sendrecv", OfferKind.Video)]
    [InlineData("sendrecv", "sendonly", OfferKind.Video)]
    [InlineData("sendrecv", "recvonly", OfferKind.Video)]
    [InlineData("sendrecv", "inactive", OfferKind.AudioWithInactiveVideo)]
    [InlineData("sendonly", "inactive", OfferKind.AudioWithInactiveVideo)]
    [InlineData("sendrecv", TestSdp.NoDirection, OfferKind.Video)]
    public void The_seeds_three_offers_are_told_apart(string audio, string? video, OfferKind expected) =>
        Assert.Equal(expected, Parsed(TestSdp.Offer(audio: audio, video: video)).OfferKind);

    [Fact]
    public void The_seed_offers_of_the_helper_have_their_kinds()
    {
        Assert.Equal(OfferKind.Audio, Parsed(TestSdp.AudioOffer).OfferKind);
        Assert.Equal(OfferKind.AudioWithInactiveVideo, Parsed(TestSdp.AudioWithInactiveVideoOffer).OfferKind);
        Assert.Equal(OfferKind.Video, Parsed(TestSdp.VideoOffer).OfferKind);
    }

    [Fact]
    public void A_video_m_line_with_port_0_is_a_disabled_video_line_not_a_video_call()
    {
        var summary = Parsed(TestSdp.Offer(video: "sendrecv", videoPort: 0));
        Assert.Equal(OfferKind.AudioWithInactiveVideo, summary.OfferKind);
        Assert.False(summary.SendsVideo);
        var video = Assert.Single(summary.Video);
        Assert.Equal(0, video.Port);
        Assert.False(video.IsActive);
        Assert.False(video.Sends);
    }

    [Fact]
    public void An_audio_m_line_with_port_0_neither_sends_nor_receives_audio()
    {
        var summary = new SdpSummary([new SdpMediaLine("audio", 0, MediaDirection.SendRecv), new SdpMediaLine("video", 9, MediaDirection.SendRecv)]);
        Assert.False(summary.HasAudio);
        Assert.False(summary.SendsAudio);
        Assert.False(summary.ReceivesAudio);
        Assert.True(summary.SendsVideo);
    }

    [Fact]
    public void Media_lines_are_listed_in_order_with_kind_port_and_direction()
    {
        var summary = Parsed(TestSdp.Offer(audio: "sendonly", video: "recvonly", dataChannel: true));
        Assert.Equal(
            [
                new SdpMediaLine("audio", 9, MediaDirection.SendOnly),
                new SdpMediaLine("video", 9, MediaDirection.RecvOnly),
                new SdpMediaLine("application", 9, MediaDirection.SendRecv),
            ],
            summary.MediaLines);
    }

    [Theory]
    // session-level, media-level → effective direction of the audio line
    [InlineData(null, "sendrecv", MediaDirection.SendRecv)]
    [InlineData(null, TestSdp.NoDirection, MediaDirection.SendRecv)]
    [InlineData("sendonly", TestSdp.NoDirection, MediaDirection.SendOnly)]
    [InlineData("inactive", TestSdp.NoDirection, MediaDirection.Inactive)]
    [InlineData("recvonly", TestSdp.NoDirection, MediaDirection.RecvOnly)]
    [InlineData("sendonly", "sendrecv", MediaDirection.SendRecv)]
    [InlineData("inactive", "recvonly", MediaDirection.RecvOnly)]
    [InlineData("sendrecv", "inactive", MediaDirection.Inactive)]
    public void A_media_level_direction_overrides_the_session_level_one(string? session, string media, MediaDirection expected)
    {
        var summary = Parsed(TestSdp.Offer(audio: media, session: session));
        Assert.Equal(expected, Assert.Single(summary.Audio).Direction);
    }

    [Fact]
    public void A_session_level_direction_applies_to_every_section_without_its_own()
    {
        var summary = Parsed(TestSdp.Offer(audio: TestSdp.NoDirection, video: "sendrecv", session: "inactive"));
        Assert.Equal(MediaDirection.Inactive, Assert.Single(summary.Audio).Direction);
        Assert.Equal(MediaDirection.SendRecv, Assert.Single(summary.Video).Direction);
    }

    [Theory]
    // audio direction → sends audio, receives audio (RFC 3264 hold is sendonly or inactive)
    [InlineData("sendrecv", true, true)]
    [InlineData("sendonly", true, false)]
    [InlineData("recvonly", false, true)]
    [InlineData("inactive", false, false)]
    public void Audio_direction_decides_sending_and_receiving(string direction, bool sends, bool receives)
    {
        var summary = Parsed(TestSdp.Offer(audio: direction));
        Assert.True(summary.HasAudio);
        Assert.Equal(sends, summary.SendsAudio);
        Assert.Equal(receives, summary.ReceivesAudio);
    }

    [Theory]
    [InlineData("sendrecv", true)]
    [InlineData("sendonly", true)]
    [InlineData("recvonly", false)]
    [InlineData("inactive", false)]
    public void Video_direction_decides_whether_video_is_sent(string direction, bool sends) =>
        Assert.Equal(sends, Parsed(TestSdp.Offer(video: direction)).SendsVideo);

    [Fact]
    public void Line_endings_may_be_bare_LF() =>
        Assert.Equal(OfferKind.Video, Parsed(TestSdp.VideoOffer.Replace("\r\n", "\n", StringComparison.Ordinal)).OfferKind);

    [Fact]
    public void A_port_range_is_accepted()
    {
        var summary = Parsed(TestSdp.AudioOffer.Replace("m=audio 9 ", "m=audio 49170/2 ", StringComparison.Ordinal));
        Assert.Equal(49170, Assert.Single(summary.Audio).Port);
    }

    [Theory]
    [InlineData(null, "empty")]
    [InlineData("", "empty")]
    [InlineData("hello, this is not SDP", "v=0")]
    [InlineData("{\"type\":\"offer\",\"sdp\":\"v=0\"}", "v=0")]
    [InlineData("v=1\r\nm=audio 9 RTP/AVP 0\r\n", "v=0")]
    [InlineData("o=- 1 1 IN IP4 0.0.0.0\r\nv=0\r\nm=audio 9 RTP/AVP 0\r\n", "v=0")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n", "no m= line")]
    [InlineData("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=sendrecv\r\n", "no audio")]
    [InlineData("v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n", "no audio")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF\r\n", "not a valid m= line")]
    [InlineData("v=0\r\nm=audio port UDP/TLS/RTP/SAVPF 111\r\n", "not a valid m= line")]
    [InlineData("v=0\r\nm=audio 70000 UDP/TLS/RTP/SAVPF 111\r\n", "not a valid m= line")]
    [InlineData("v=0\r\nm=audio -1 UDP/TLS/RTP/SAVPF 111\r\n", "not a valid m= line")]
    [InlineData("v=0\r\nm=hologram 9 UDP/TLS/RTP/SAVPF 111\r\n", "not a valid m= line")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nthis line has no equals sign\r\n", "not an SDP line")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nA=sendrecv\r\n", "not an SDP line")]
    [InlineData("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na:sendrecv\r\n", "not an SDP line")]
    public void Anything_that_does_not_look_like_sdp_is_InvalidSdp(string? sdp, string messagePart)
    {
        var error = Refused(sdp);
        Assert.Equal(ErrorCode.InvalidSdp, error.Code);
        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("InvalidSdp: ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_non_empty_line_must_be_v0_even_in_a_real_offer()
    {
        var offer = TestSdp.AudioOffer;
        Assert.Equal(ErrorCode.InvalidSdp, Refused(offer["v=0\r\n".Length..]).Code);
        Assert.Equal(ErrorCode.InvalidSdp, Refused(" " + offer).Code);
        Assert.Equal(OfferKind.Audio, Parsed("\r\n" + offer).OfferKind);
    }

    [Fact]
    public void More_than_32_media_lines_are_refused()
    {
        var section = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendrecv\r\n";
        Assert.Equal(32, Parsed("v=0\r\n" + string.Concat(Enumerable.Repeat(section, 32))).MediaLines.Count);
        Assert.Equal(ErrorCode.InvalidSdp, Refused("v=0\r\n" + string.Concat(Enumerable.Repeat(section, 33))).Code);
    }

    [Theory]
    [InlineData(4_000, null)]
    [InlineData(SdpParser.MaxLength, null)]
    [InlineData(SdpParser.MaxLength + 1, ErrorCode.PayloadTooLarge)]
    [InlineData(200_000, ErrorCode.PayloadTooLarge)]
    public void Sdp_must_stay_within_64_KiB(int length, ErrorCode? expected)
    {
        var sdp = TestSdp.OfferOfLength(length);
        Assert.Equal(length, sdp.Length);
        var (summary, error) = SdpParser.Parse(sdp);
        Assert.Equal(expected, error?.Code);
        Assert.Equal(expected is null, summary is not null);
    }

    [Fact]
    public void Size_is_checked_before_shape()
    {
        var garbage = new string('x', SdpParser.MaxLength + 1);
        Assert.Equal(ErrorCode.PayloadTooLarge, Refused(garbage).Code);
    }
}
