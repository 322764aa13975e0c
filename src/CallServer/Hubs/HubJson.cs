using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallServer.Hubs;

/// <summary>The hub's payload JSON: camelCase, enums by name, as the contract spells them.</summary>
public static class HubJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}
