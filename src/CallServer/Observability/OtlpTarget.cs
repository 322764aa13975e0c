using OpenTelemetry.Exporter;

namespace CallServer.Observability;

/// <summary>
/// Where traces and metrics go over OTLP: <c>OpenTelemetry:OtlpEndpoint</c> with <c>OpenTelemetry:OtlpProtocol</c>
/// (<c>grpc</c>, the default, or <c>http/protobuf</c>), or else the standard <c>OTEL_EXPORTER_OTLP_*</c>
/// variables, which the exporter reads itself. Neither set: nothing is exported.
/// </summary>
public sealed record OtlpTarget(Uri? Endpoint, OtlpExportProtocol Protocol, bool FromStandardVariables)
{
    public bool Enabled => Endpoint is not null || FromStandardVariables;

    public static OtlpTarget From(IConfiguration configuration)
    {
        var protocol = configuration["OpenTelemetry:OtlpProtocol"] switch
        {
            null or "" or "grpc" => OtlpExportProtocol.Grpc,
            "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            var other => throw new InvalidOperationException($"OpenTelemetry:OtlpProtocol is 'grpc' or 'http/protobuf', not '{other}'."),
        };
        var endpoint = configuration["OpenTelemetry:OtlpEndpoint"];
        if (!string.IsNullOrWhiteSpace(endpoint))
        {
            return Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
                ? new OtlpTarget(uri, protocol, false)
                : throw new InvalidOperationException($"OpenTelemetry:OtlpEndpoint is an http(s) URL, not '{endpoint}'.");
        }

        return new OtlpTarget(null, protocol, !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]));
    }

    /// <summary>Points one exporter at the endpoint; over HTTP each signal has its own path (<c>v1/traces</c>, <c>v1/metrics</c>).</summary>
    public void Configure(OtlpExporterOptions exporter, string signalPath)
    {
        if (Endpoint is null)
        {
            return;
        }

        exporter.Protocol = Protocol;
        exporter.Endpoint = Protocol == OtlpExportProtocol.HttpProtobuf
            ? new Uri(Endpoint.AbsoluteUri.TrimEnd('/') + "/" + signalPath)
            : Endpoint;
    }
}
