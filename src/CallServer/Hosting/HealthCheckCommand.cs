namespace CallServer.Hosting;

/// <summary>
/// <c>dotnet CallServer.dll healthcheck URL</c>: exits 0 when URL answers 2xx. The container's health
/// check, without curl in the image.
/// </summary>
public static class HealthCheckCommand
{
    public static bool IsRequested(string[] args) => args.Length >= 1 && args[0] == "healthcheck";

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.Length > 1 ? args[1] : "http://127.0.0.1:8080/healthz";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync(new Uri(url));
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"unhealthy: {exception.Message}");
            return 1;
        }
    }
}
