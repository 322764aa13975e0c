using CallServer.Configuration;

namespace CallServer.Users;

/// <summary>
/// Registers users: <c>Admin:*</c> (the key of the users API), registration, and the demo users seeded at
/// start when <c>DemoUsers:Enabled</c> (by default in Development only). The directory is part of the state
/// (<c>AddState</c>).
/// </summary>
public static class UsersSetup
{
    public static IServiceCollection AddUsers(this IServiceCollection services, IConfiguration configuration, bool isDevelopment)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.Section));
        services.AddOptions<DemoUsersOptions>().Bind(configuration.GetSection(DemoUsersOptions.Section));
        services.AddSingleton<UserRegistration>();
        if (configuration.GetValue<bool?>($"{DemoUsersOptions.Section}:Enabled") ?? isDevelopment)
        {
            services.AddHostedService<DemoUsers>();
        }

        return services;
    }
}
