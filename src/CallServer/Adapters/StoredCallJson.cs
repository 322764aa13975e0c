using System.Text.Json;
using System.Text.Json.Serialization;
using CallServer.Domain.Addresses;

namespace CallServer.Adapters;

/// <summary>How records are written to a shared store: JSON, enums by name, addresses as their text.</summary>
public static class StoredCallJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new AddressJsonConverter() },
    };

    private sealed class AddressJsonConverter : JsonConverter<Address>
    {
        public override Address Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Address.Parse(reader.GetString()!, "invalid");

        public override void Write(Utf8JsonWriter writer, Address value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Value);

        public override Address ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Address.Parse(reader.GetString()!, "invalid");

        public override void WriteAsPropertyName(Utf8JsonWriter writer, Address value, JsonSerializerOptions options) =>
            writer.WritePropertyName(value.Value);
    }
}
