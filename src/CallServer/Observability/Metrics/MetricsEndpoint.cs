namespace CallServer.Observability.Metrics;

public static class MetricsEndpoint
{
    public static void MapMetricsEndpoint(this IEndpointRouteBuilder app) =>
        app.MapGet("/metrics", (PrometheusExporter exporter) => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"))
            .WithTags("Health").WithName("Metrics").WithSummary("Prometheus metrics of this node.");
}
