using CallServer.Push.Providers;

namespace CallServer.Push;

/// <summary>
/// Registers push: <c>Push:*</c> (one options class, checked at start) and the providers
/// (<see cref="PushProvidersSetup.AddPushProviders"/>), the sender, and the dispatcher that works the push
/// outbox. The registrations store is part of the state (<c>AddState</c>).
/// </summary>
public static class PushSetup
{
    public static IServiceCollection AddPush(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddPushProviders(configuration);
        services.AddSingleton<PushSender>();
        services.AddHostedService<PushDispatcher>();
        return services;
    }
}
