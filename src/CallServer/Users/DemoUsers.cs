using CallServer.Configuration;
using CallServer.Domain.Ports;
using Microsoft.Extensions.Options;

namespace CallServer.Users;

/// <summary>Seeds the demo users of a development server and prints their credentials.</summary>
public sealed class DemoUsers(UserRegistration registration, IUserDirectory users, IOptions<CallsOptions> calls, IOptions<PstnOptions> pstn) : IHostedService
{
    public static readonly IReadOnlyList<(string Username, string Password, string[] PhoneNumbers)> Accounts =
    [
        ("alice", "alice-password", ["+15550100001"]),
        ("bob", "bob-password", []),
        ("carol", "carol-password", []),
        ("pstn-gateway", "gateway-password", []),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var (username, password, phones) in Accounts)
        {
            var address = CallServer.Domain.Addresses.Address.Parse(username, calls.Value.DefaultDomain);
            if (await users.FindAsync(address, cancellationToken) is null)
            {
                await registration.RegisterAsync(username, password, phones, cancellationToken);
            }
        }

        // Printed, not logged: these are well-known demo passwords, and logs carry no secrets.
        Console.WriteLine("Demo users (Development only):");
        foreach (var (username, password, phones) in Accounts)
        {
            var phoneText = phones.Length > 0 ? $"  phone {string.Join(", ", phones)}" : string.Empty;
            Console.WriteLine($"  {username,-13} password {password}{phoneText}");
        }

        if (pstn.Value.GatewayUser is { } gateway)
        {
            Console.WriteLine($"  calls to tel: numbers ring {gateway}");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
