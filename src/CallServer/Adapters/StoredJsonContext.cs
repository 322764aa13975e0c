using System.Text.Json;
using System.Text.Json.Serialization;
using CallServer.Adapters.Calls;
using CallServer.Adapters.Users;

namespace CallServer.Adapters;

/// <summary>
/// Source-generated JSON metadata (and write fast path) of the stored records, with the options of
/// <see cref="StoredJson"/>: every save of a call writes one, so it is on the hot path.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(StoredCall))]
[JsonSerializable(typeof(StoredUser))]
[JsonSerializable(typeof(CallServer.Adapters.PushRegistrations.StoredPushRegistration))]
[JsonSerializable(typeof(CallServer.Adapters.CallHistory.StoredCallHistoryEntry))]
public sealed partial class StoredJsonContext : JsonSerializerContext;
