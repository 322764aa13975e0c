using System.Text.Json.Serialization;

namespace CallServer.Domain.Views;

/// <summary>Travels lowercase, as the contract spells it.</summary>
public enum CallDirection
{
    [JsonStringEnumMemberName("outgoing")]
    Outgoing,

    [JsonStringEnumMemberName("incoming")]
    Incoming,
}
