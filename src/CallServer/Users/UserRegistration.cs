using CallServer.Application;
using CallServer.Configuration;
using CallServer.Domain.Addresses;
using CallServer.Domain.Calls;
using CallServer.Domain.Errors;
using CallServer.Domain.Ports;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace CallServer.Users;

/// <summary>Provisions users and checks their passwords (ASP.NET Core's PasswordHasher: PBKDF2).</summary>
public sealed class UserRegistration(IUserDirectory users, IOptions<CallsOptions> calls, TimeProvider clock)
{
    public const int MinPasswordLength = 8;
    public const int MaxPasswordLength = 256;
    private const int MaxPhoneNumbers = 16;

    private readonly PasswordHasher<UserAccount> hasher = new();

    public async Task<UserAccount> RegisterAsync(string? username, string? password, IReadOnlyList<string>? phoneNumbers, CancellationToken cancellationToken = default) =>
        await RegisterAsync(username, password, phoneNumbers, busyPolicy: null, cancellationToken);

    public async Task<UserAccount> RegisterAsync(string? username, string? password, IReadOnlyList<string>? phoneNumbers, string? busyPolicy, CancellationToken cancellationToken = default)
    {
        var policy = ParseBusyPolicy(busyPolicy);
        if (!Address.IsValidUsername(username))
        {
            throw CallRefusedException.Of(ErrorCode.InvalidArgument, "a username is 1 to 64 letters, digits, '.', '_' or '-', and does not start with 'anonymous-'");
        }

        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
        {
            throw CallRefusedException.Of(ErrorCode.InvalidArgument, $"a password has {MinPasswordLength} to {MaxPasswordLength} characters");
        }

        var numbers = (phoneNumbers ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (numbers.Count > MaxPhoneNumbers || numbers.Any(n => !Address.IsValidTelephoneNumber(n)))
        {
            throw CallRefusedException.Of(ErrorCode.InvalidArgument, $"telephone numbers are E.164 (+ and up to 15 digits), at most {MaxPhoneNumbers}");
        }

        var address = Address.Parse(username!, calls.Value.DefaultDomain);
        var account = new UserAccount(address.LocalPart, address, string.Empty, numbers, clock.GetUtcNow()) { BusyPolicy = policy };
        account = account with { PasswordHash = hasher.HashPassword(account, password) };
        if (!await users.TryAddAsync(account, cancellationToken))
        {
            throw CallRefusedException.Of(ErrorCode.InvalidState, $"the user {address} exists already");
        }

        return account;
    }

    /// <summary>Sets a user's busy policy (null: the configured default); null when there is no such user.</summary>
    public async Task<UserAccount?> SetBusyPolicyAsync(Address address, string? busyPolicy, CancellationToken cancellationToken = default)
    {
        var policy = ParseBusyPolicy(busyPolicy);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            if (await users.FindAsync(address, cancellationToken) is not { } account)
            {
                return null;
            }

            var changed = account with { BusyPolicy = policy };
            if (await users.TryUpdateAsync(changed, cancellationToken))
            {
                return changed;
            }
        }

        return null;
    }

    /// <summary>A busy policy by name (null or empty: none), or <c>InvalidArgument</c>.</summary>
    public static BusyPolicy? ParseBusyPolicy(string? text) =>
        string.IsNullOrEmpty(text) ? null
        : Enum.TryParse<BusyPolicy>(text, ignoreCase: false, out var policy) && Enum.IsDefined(policy) && !char.IsDigit(text[0]) ? policy
        : throw CallRefusedException.Of(ErrorCode.InvalidArgument, "busyPolicy is CallWaiting or Busy");

    /// <summary>The user whose credentials these are, or null.</summary>
    public async Task<UserAccount?> VerifyAsync(string? username, string? password, CancellationToken cancellationToken = default)
    {
        if (password is null || password.Length > MaxPasswordLength
            || !Address.TryParse(username, calls.Value.DefaultDomain, out var address) || address.Kind != AddressKind.User)
        {
            return null;
        }

        var account = await users.FindAsync(address, cancellationToken);
        if (account is null)
        {
            // Hash anyway, so that an unknown user takes as long as a wrong password.
            hasher.VerifyHashedPassword(DummyAccount, DummyHash, password);
            return null;
        }

        return hasher.VerifyHashedPassword(account, account.PasswordHash, password) == PasswordVerificationResult.Failed ? null : account;
    }

    private static readonly UserAccount DummyAccount =
        new("dummy", Address.Parse("dummy@dummy.invalid", "dummy.invalid"), string.Empty, [], DateTimeOffset.UnixEpoch);

    private static readonly string DummyHash = new PasswordHasher<UserAccount>().HashPassword(DummyAccount, "dummy-password");
}
