using System.Globalization;
using CallServer.Ports;

namespace CallServer.Push.Providers;

/// <summary>
/// A message's fields as FCM <c>data</c>: every value a string (booleans <c>"true"</c>/<c>"false"</c>),
/// nulls left out, and FCM's reserved key <c>from</c> (FCM refuses it, as it does <c>message_type</c> and
/// keys starting with <c>google</c> or <c>gcm</c>) sent as <see cref="CallerKey"/>.
/// </summary>
public static class FcmData
{
    /// <summary>What the contract's <c>from</c> (the caller's address) is called in FCM data.</summary>
    public const string CallerKey = "caller";

    public static IReadOnlyList<KeyValuePair<string, string>> From(PushMessage message) =>
        message.Fields
            .Where(field => field.Value is not null)
            .Select(field => new KeyValuePair<string, string>(
                field.Key == "from" ? CallerKey : field.Key,
                field.Value switch
                {
                    bool flag => flag ? "true" : "false",
                    var other => Convert.ToString(other, CultureInfo.InvariantCulture) ?? string.Empty,
                }))
            .ToList();
}
