using System.Text.Json;
using System.Text.Json.Serialization;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Ports;

namespace CallServer.Storage.Tests.Infrastructure;

/// <summary>
/// The reader and writer of the nodes before the versioned stored format (schema 0), frozen: the domain record
/// serialised as it is, with the options <c>StoredCallJson</c> had. Faithful only while the domain records keep
/// the fields they had then; drop it with the support for schema 0.
/// </summary>
public static class PreviousVersion
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(), new AddressJsonConverter() },

        // Fields the domain record gained since (push wake-up, the call record, PullCall, transfers) were not part of schema 0.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                info =>
                {
                    if (info.Type == typeof(Call))
                    {
                        foreach (var added in info.Properties.Where(p => p.Name is "wokenAccount" or "wokenAt" or "ringingAt" or "heldSince" or "heldFor" or "movedFrom" or "transfer" or "transferredFrom" or "callerAllowedCallees" or "endReasonText").ToList())
                        {
                            info.Properties.Remove(added);
                        }
                    }

                    // Issue 18: custom parameters, quality reports, the waiting flag, the per-user busy policy.
                    RemoveAdded(info, typeof(PartyState), "customParameters", "quality");
                    RemoveAdded(info, typeof(CalleeDevice), "waiting");
                    RemoveAdded(info, typeof(UserAccount), "busyPolicy");

                    if (info.Type == typeof(PendingOperation))
                    {
                        foreach (var added in info.Properties.Where(p => p.Name is "pullingDevice").ToList())
                        {
                            info.Properties.Remove(added);
                        }
                    }
                },
            },
        },
    };

    private static void RemoveAdded(System.Text.Json.Serialization.Metadata.JsonTypeInfo info, Type type, params string[] names)
    {
        if (info.Type != type)
        {
            return;
        }

        foreach (var added in info.Properties.Where(p => names.Contains(p.Name)).ToList())
        {
            info.Properties.Remove(added);
        }
    }

    public static Call? ReadCall(string record) => JsonSerializer.Deserialize<Call>(record, Options);

    public static UserAccount? ReadUser(string record) => JsonSerializer.Deserialize<UserAccount>(record, Options);

    public static string Write(Call call) => JsonSerializer.Serialize(call, Options);

    public static string Write(UserAccount user) => JsonSerializer.Serialize(user, Options);

    private sealed class AddressJsonConverter : JsonConverter<Address>
    {
        public override Address Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            Address.Parse(reader.GetString()!, "invalid");

        public override void Write(Utf8JsonWriter writer, Address value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.Value);
    }
}
