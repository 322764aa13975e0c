using CallServer.Adapters;
using CallServer.Adapters.Redis;
using CallServer.Observability;
using CallServer.Observability.Metrics;
using CallServer.Observability.Tracing;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace CallServer.Hosting;

/// <summary>
/// OpenTelemetry: metrics (CallServer's instruments, ASP.NET Core, the runtime) served at <c>/metrics</c> in
/// Prometheus text; traces (a span per hub command and timer firing, ASP.NET Core, HttpClient, Redis)
/// exported over OTLP when <c>OpenTelemetry:OtlpEndpoint</c> or <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// CallServer's spans are made either way, so that every log line of a hub command or timer carries its
/// trace id (HTTP requests get theirs from ASP.NET Core); the framework's spans only when they are exported.
/// </summary>
public static class TelemetrySetup
{
    public const string ServiceName = "callserver";

    /// <summary>Bucket bounds, in seconds, of CallServer's latency histograms: 0.5 ms to 60 s.</summary>
    public static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public static void AddCallServerTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var otlp = OtlpTarget.From(configuration);
        var redisEnabled = StateBackend.Choose(builder.Services, configuration).IsRedis;
        if (redisEnabled && otlp.Enabled)
        {
            builder.Services.AddSingleton<IConnectionMultiplexer>(sp => sp.GetRequiredService<RedisConnection>().WaitUntilConnected());
        }

        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(CallServerMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddView(instrument => instrument.Meter.Name == CallServerMetrics.MeterName && instrument is System.Diagnostics.Metrics.Histogram<double>
                        ? new ExplicitBucketHistogramConfiguration { Boundaries = LatencyBuckets }
                        : null)
                    .AddPrometheusExporter(prometheus =>
                    {
                        prometheus.ScrapeResponseCacheDurationMilliseconds = 0;
                        prometheus.ScopeInfoEnabled = false;
                    });
                if (otlp.Enabled)
                {
                    metrics.AddOtlpExporter(exporter => otlp.Configure(exporter, "v1/metrics"));
                }
            })
            .WithTracing(tracing =>
            {
                // CallServer's own spans always (hub commands and timers: their log lines carry the trace id).
                tracing.AddSource(CallServerActivities.SourceName);
                if (otlp.Enabled)
                {
                    // The framework's spans only when someone receives them: the request span of a hub
                    // connection lives (with its tags) as long as the connection, and Redis command spans
                    // cost a profiling session per command (about a tenth of a node's CPU under load).
                    tracing.AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsProbe(context.Request.Path))
                        .AddHttpClientInstrumentation();
                    if (redisEnabled)
                    {
                        tracing.AddRedisInstrumentation();
                    }

                    tracing.AddOtlpExporter(exporter => otlp.Configure(exporter, "v1/traces"));
                }
            });
    }

    /// <summary>Prometheus text of this node's metrics at <c>/metrics</c>.</summary>
    public static void MapCallServerMetrics(this WebApplication app) =>
        app.MapPrometheusScrapingEndpoint("/metrics");

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics");
}
