using System.Text.Json.Nodes;
using CallServer.Api;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace CallServer.Swagger;

/// <summary>Example bodies for the request types, so that "Try it out" starts from something that works.</summary>
public sealed class ExampleSchemaFilter : ISchemaFilter
{
    private static readonly Dictionary<Type, Func<JsonNode>> Examples = new()
    {
        [typeof(TokenRequest)] = () => new JsonObject { ["username"] = "alice", ["password"] = "alice-password" },
        [typeof(AnonymousTokenRequest)] = () => new JsonObject
        {
            ["allowedCallees"] = new JsonArray("bob@callserver.local"),
            ["displayName"] = "Website visitor",
            ["ttlSeconds"] = 600,
        },
        [typeof(CreateUserRequest)] = () => new JsonObject
        {
            ["username"] = "dave",
            ["password"] = "a-long-password",
            ["phoneNumbers"] = new JsonArray("+15550100002"),
        },
    };

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && Examples.TryGetValue(context.Type, out var example))
        {
            concrete.Examples = [example()];
        }
    }
}
