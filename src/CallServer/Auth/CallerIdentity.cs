using System.Security.Claims;
using CallServer.Domain.Addresses;

namespace CallServer.Auth;

/// <summary>Who an authenticated request or connection is, read from its token.</summary>
public sealed record CallerIdentity(Address Account, bool IsAnonymous, IReadOnlySet<Address>? AllowedCallees, string? DisplayName)
{
    /// <summary>Reads the identity from the claims of a token this server issued; null if they do not make one.</summary>
    public static CallerIdentity? From(ClaimsPrincipal? principal, string defaultDomain)
    {
        var subject = principal?.FindFirst(CallServerClaims.Subject)?.Value;
        if (subject is null || !Address.TryParse(subject, defaultDomain, out var account))
        {
            return null;
        }

        var isAnonymous = principal!.FindFirst(CallServerClaims.Role)?.Value == CallServerClaims.AnonymousRole;
        if (isAnonymous != (account.Kind == AddressKind.Anonymous))
        {
            return null;
        }

        HashSet<Address>? allowed = null;
        if (isAnonymous)
        {
            var callees = principal.FindAll(CallServerClaims.AllowedCallee).Select(c => c.Value).ToList();
            if (callees.Count > 0)
            {
                allowed = [];
                foreach (var callee in callees)
                {
                    if (Address.TryParse(callee, defaultDomain, out var address))
                    {
                        allowed.Add(address);
                    }
                }
            }
        }

        return new CallerIdentity(account, isAnonymous, allowed, principal.FindFirst(CallServerClaims.Name)?.Value);
    }
}
