using System.Net.Http.Json;
using CallServer.Tests.Infrastructure;

namespace CallServer.Tests.Push;

/// <summary>A REST request to the test server with a bearer token and a JSON body.</summary>
public static class RestCalls
{
    public static async Task<HttpResponseMessage> SendAsync(this CallServerFixture server, HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return await server.Http.SendAsync(request);
    }
}
