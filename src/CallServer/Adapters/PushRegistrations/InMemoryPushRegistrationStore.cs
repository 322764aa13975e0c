using CallServer.Domain.Addresses;
using CallServer.Ports;
using CallServer.Push;

namespace CallServer.Adapters.PushRegistrations;

/// <summary>One node's push registrations, per account under one lock.</summary>
public sealed class InMemoryPushRegistrationStore : IPushRegistrationStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<Address, Dictionary<string, PushRegistration>> byAccount = [];

    public Task<PushRegistrationPut> PutAsync(PushRegistration registration, int maxPerAccount, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (!byAccount.TryGetValue(registration.Account, out var registrations))
            {
                byAccount[registration.Account] = registrations = new Dictionary<string, PushRegistration>(StringComparer.Ordinal);
            }

            if (!registrations.ContainsKey(registration.RegistrationId) && registrations.Count >= maxPerAccount)
            {
                return Task.FromResult(PushRegistrationPut.LimitReached);
            }

            registrations[registration.RegistrationId] = registration;
            return Task.FromResult(PushRegistrationPut.Stored);
        }
    }

    public Task<IReadOnlyList<PushRegistration>> ListAsync(Address account, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            IReadOnlyList<PushRegistration> list = byAccount.TryGetValue(account, out var registrations)
                ? registrations.Values.OrderBy(r => r.RegistrationId, StringComparer.Ordinal).ToList()
                : [];
            return Task.FromResult(list);
        }
    }

    public Task<bool> HasAnyAsync(Address account, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(byAccount.TryGetValue(account, out var registrations) && registrations.Count > 0);
        }
    }

    public Task<bool> DeleteAsync(Address account, string registrationId, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            return Task.FromResult(byAccount.TryGetValue(account, out var registrations) && registrations.Remove(registrationId));
        }
    }

    public Task<bool> DeleteIfUnchangedAsync(PushRegistration registration, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var deleted = byAccount.TryGetValue(registration.Account, out var registrations)
                && registrations.TryGetValue(registration.RegistrationId, out var stored)
                && stored == registration
                && registrations.Remove(registration.RegistrationId);
            return Task.FromResult(deleted);
        }
    }

    public Task DeleteAllAsync(Address account, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            byAccount.Remove(account);
        }

        return Task.CompletedTask;
    }
}
