using System.Text;
using System.Text.Json;
using CallServer.Domain.Addresses;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;

namespace CallServer.Adapters;

/// <summary>
/// How records are written to a shared store (Redis): JSON of the record's own storage type (camelCase, enums by
/// name, addresses as their text) with a top-level <c>schema</c> number. A record without one is schema 0: the
/// domain record as the nodes before the versioned format serialised it. See "Stored format and rolling upgrades"
/// in docs/architecture.md.
/// </summary>
public static class StoredJson
{
    /// <summary>The name of the schema field, written first in every record.</summary>
    public const string SchemaField = "schema";

    /// <summary>
    /// The options of every stored record. Unknown fields are skipped (a newer node may have added one);
    /// a missing required field, or null where the storage type allows none, fails the read.
    /// </summary>
    public static readonly JsonSerializerOptions Options = StoredJsonContext.Default.Options;

    /// <summary>
    /// Reads a stored record: its schema first, then the record as the storage type of that schema.
    /// Throws <see cref="StoredSchemaException"/> for a schema above <paramref name="currentSchema"/> and
    /// <see cref="StoredFormatException"/> for a record that is not one.
    /// </summary>
    public static TStored Read<TStored>(string record, string what, int currentSchema)
    {
        var utf8 = Encoding.UTF8.GetBytes(record);
        var schema = SchemaOf(utf8, what);
        if (schema > currentSchema)
        {
            throw new StoredSchemaException(what, schema, currentSchema);
        }

        try
        {
            return JsonSerializer.Deserialize<TStored>(utf8, Options) ?? throw new StoredFormatException($"the stored {what} is null");
        }
        catch (JsonException exception)
        {
            throw new StoredFormatException($"the stored {what} (schema {schema}) is not readable: {exception.Message}", exception);
        }
    }

    public static string Write<TStored>(TStored record) => JsonSerializer.Serialize(record, Options);

    /// <summary>An address as stored: its normalised text, which must parse back to itself.</summary>
    public static Address ParseAddress(string? text, string field) =>
        Address.TryParse(text, "invalid", out var address) && address.Value == text
            ? address
            : throw new StoredFormatException($"the stored {field} '{text}' is not a normalised address");

    /// <summary>The value of a stored enum name, from the table that names each value.</summary>
    public static TEnum ParseName<TEnum>(string? name, Func<TEnum, string> nameOf, string field)
        where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (nameOf(value) == name)
            {
                return value;
            }
        }

        throw new StoredFormatException($"the stored {field} '{name}' is not a value this node knows");
    }

    /// <summary>The top-level <c>schema</c> of a record: 0 when it has none.</summary>
    private static int SchemaOf(byte[] utf8, string what)
    {
        try
        {
            var reader = new Utf8JsonReader(utf8);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new StoredFormatException($"the stored {what} is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSchema = reader.ValueTextEquals(SchemaField);
                reader.Read();
                if (isSchema)
                {
                    return reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var schema) && schema >= 1
                        ? schema
                        : throw new StoredFormatException($"the stored {what} has a schema that is not a whole number from 1");
                }

                reader.Skip();
            }

            return 0;
        }
        catch (JsonException exception)
        {
            throw new StoredFormatException($"the stored {what} is not JSON: {exception.Message}", exception);
        }
    }
}

/// <summary>A stored record this node cannot read: not JSON, a required field missing, an unknown name.</summary>
public class StoredFormatException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>
    /// What an adapter throws instead: the store is unavailable to this node, nothing changed. A node never
    /// acts on a record it cannot read in full, since saving its own reading back would lose what it did not
    /// understand.
    /// </summary>
    public StoreUnavailableException ToUnavailable() => new(Message + "; nothing changed", this);
}

/// <summary>
/// A stored record of a schema newer than this node reads: a node of a newer version wrote it. The adapters
/// refuse the operation (<see cref="StoredFormatException.ToUnavailable"/>) rather than guess at the record.
/// </summary>
public sealed class StoredSchemaException(string what, int schema, int newestKnown)
    : StoredFormatException($"the stored {what} has schema {schema}, written by a newer version of CallServer; this node reads schemas up to {newestKnown}, try again once every node is upgraded")
{
    public int Schema { get; } = schema;

    public int NewestKnown { get; } = newestKnown;
}
