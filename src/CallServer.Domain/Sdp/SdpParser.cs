using CallServer.Domain.Errors;

namespace CallServer.Domain.Sdp;

/// <summary>
/// Checks that a body looks like SDP (RFC 8866) and summarises its media sections. It is not a full
/// parser: it checks the shape the server relies on and leaves the rest to the endpoints.
/// </summary>
public static class SdpParser
{
    /// <summary>The largest SDP body accepted, in UTF-16 characters (64 KiB).</summary>
    public const int MaxLength = 64 * 1024;

    private const int MaxMediaLines = 32;

    private static readonly HashSet<string> KnownKinds = ["audio", "video", "application", "text", "message"];

    /// <summary>Parses <paramref name="sdp"/>; returns the summary, or the error that refuses it.</summary>
    public static (SdpSummary? Summary, DomainError? Error) Parse(string? sdp)
    {
        if (string.IsNullOrEmpty(sdp))
        {
            return Invalid("the SDP is empty");
        }

        if (sdp.Length > MaxLength)
        {
            return (null, DomainError.Of(ErrorCode.PayloadTooLarge, $"the SDP is longer than {MaxLength} characters"));
        }

        var lines = sdp.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0 || lines[0] != "v=0")
        {
            return Invalid("the SDP must start with v=0");
        }

        var sessionDirection = MediaDirection.SendRecv;
        var media = new List<(string Kind, int Port, MediaDirection? Direction)>();
        foreach (var line in lines)
        {
            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
            {
                return Invalid($"'{Shorten(line)}' is not an SDP line (type=value)");
            }

            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                var parsed = ParseMediaLine(line);
                if (parsed is null)
                {
                    return Invalid($"'{Shorten(line)}' is not a valid m= line");
                }

                if (media.Count == MaxMediaLines)
                {
                    return Invalid($"more than {MaxMediaLines} m= lines");
                }

                media.Add((parsed.Value.Kind, parsed.Value.Port, null));
            }
            else if (line.StartsWith("a=", StringComparison.Ordinal) && ParseDirection(line[2..]) is { } direction)
            {
                if (media.Count == 0)
                {
                    sessionDirection = direction;
                }
                else
                {
                    media[^1] = media[^1] with { Direction = direction };
                }
            }
        }

        if (media.Count == 0)
        {
            return Invalid("the SDP has no m= line");
        }

        var summary = new SdpSummary(media.Select(m => new SdpMediaLine(m.Kind, m.Port, m.Direction ?? sessionDirection)).ToList());
        if (!summary.HasAudio)
        {
            return Invalid("the SDP has no audio m= line with a port");
        }

        return (summary, null);
    }

    private static (string Kind, int Port)? ParseMediaLine(string line)
    {
        // m=<media> <port>[/<number of ports>] <proto> <fmt> ...
        var parts = line[2..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 4 || !KnownKinds.Contains(parts[0]))
        {
            return null;
        }

        var portText = parts[1].Split('/')[0];
        if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            return null;
        }

        return (parts[0], port);
    }

    private static MediaDirection? ParseDirection(string attribute) => attribute switch
    {
        "sendrecv" => MediaDirection.SendRecv,
        "sendonly" => MediaDirection.SendOnly,
        "recvonly" => MediaDirection.RecvOnly,
        "inactive" => MediaDirection.Inactive,
        _ => null,
    };

    private static (SdpSummary?, DomainError?) Invalid(string message) =>
        (null, DomainError.Of(ErrorCode.InvalidSdp, message));

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "…";
}
