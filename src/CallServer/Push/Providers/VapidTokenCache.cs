using System.Collections.Concurrent;
using Lib.Net.Http.WebPush.Authentication;

namespace CallServer.Push.Providers;

/// <summary>
/// Keeps each push service's VAPID JWT (one per audience) until an hour before it expires, so that
/// pushes are not each signed anew.
/// </summary>
public sealed class VapidTokenCache(TimeProvider clock) : IVapidTokenCache
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Expiration)> tokens = new(StringComparer.Ordinal);

    public string? Get(string audience) =>
        tokens.TryGetValue(audience, out var entry) && entry.Expiration - clock.GetUtcNow() > RenewBefore ? entry.Token : null;

    public void Put(string audience, DateTimeOffset expiration, string token) => tokens[audience] = (token, expiration);
}
