using CallServer.Domain.Addresses;

namespace CallServer.Ports;

/// <summary>What became of a <see cref="IPushRegistrationStore.PutAsync"/>.</summary>
public enum PushRegistrationPut
{
    Stored,

    /// <summary>The account already has its most registrations, and this id is not one of them.</summary>
    LimitReached,
}

/// <summary>The push registrations of each account (memory on one node, Redis in a cluster).</summary>
public interface IPushRegistrationStore
{
    /// <summary>Adds or replaces the registration of that id; a new id only while the account has fewer than <paramref name="maxPerAccount"/> (checked and added in one atomic step).</summary>
    Task<PushRegistrationPut> PutAsync(PushRegistration registration, int maxPerAccount, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<PushRegistration>> ListAsync(Address account, CancellationToken cancellationToken = default);

    Task<bool> HasAnyAsync(Address account, CancellationToken cancellationToken = default);

    Task<bool> DeleteAsync(Address account, string registrationId, CancellationToken cancellationToken = default);

    /// <summary>Deletes <paramref name="registration"/> only if it is still stored as it was (a push service said its token is gone; a newer token stays).</summary>
    Task<bool> DeleteIfUnchangedAsync(PushRegistration registration, CancellationToken cancellationToken = default);

    /// <summary>Every registration of the account (the user was deleted).</summary>
    Task DeleteAllAsync(Address account, CancellationToken cancellationToken = default);
}
