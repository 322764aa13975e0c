using CallServer.Domain.Addresses;

namespace CallServer.Domain.Commands;

/// <summary>What the decider must know of a caller to allow a call.</summary>
/// <param name="IsAnonymous">An anonymous caller (the <c>anonymous</c> role).</param>
/// <param name="HasTelephoneNumber">The caller has at least one telephone number (needed for <c>tel:</c>).</param>
/// <param name="AllowedCallees">For an anonymous caller, the only callees its token allows; null allows any registered user.</param>
public sealed record CallerProfile(
    bool IsAnonymous,
    bool HasTelephoneNumber,
    IReadOnlySet<Address>? AllowedCallees,
    string? DisplayName)
{
    /// <summary>The calls this caller created that have not ended.</summary>
    public int CallsInProgress { get; init; }
}
