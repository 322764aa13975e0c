using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallServer.Tests.Infrastructure;

/// <summary>The serializer settings of the tests: camelCase, enums as strings.</summary>
public static class Json
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        return options;
    }

    public static T To<T>(this JsonElement element) => element.Deserialize<T>(Options)!;
}
