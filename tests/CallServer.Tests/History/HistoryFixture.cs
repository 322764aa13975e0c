using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.History;

/// <summary>A CallServer (in memory) that keeps <see cref="MaxEntries"/> calls per user, so that the bound is reached in a test.</summary>
public sealed class HistoryFixture : CallServerFixture
{
    public const int MaxEntries = 4;

    protected override void Configure(IDictionary<string, string?> settings) =>
        settings["History:MaxEntriesPerUser"] = MaxEntries.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sends a request with a bearer token and/or the admin key.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token = null, string? adminKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (adminKey is not null)
        {
            request.Headers.Add("X-Admin-Key", adminKey);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>GET /api/v1/call-history as <paramref name="user"/> (200 expected).</summary>
    public async Task<JsonElement[]> HistoryAsync(TestUser user, string query = "")
    {
        using var response = await SendAsync(HttpMethod.Get, "/api/v1/call-history" + query, user.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()];
    }

    /// <summary>The <c>code</c> of a problem response with <paramref name="status"/>.</summary>
    public static async Task<string?> ProblemCodeAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).Str("code");
    }
}
