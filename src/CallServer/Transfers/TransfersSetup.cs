using CallServer.Configuration;

namespace CallServer.Transfers;

/// <summary>Registers transfers: <c>Transfers:*</c> (checked at start), the service the hub starts them through, and the worker of their progress.</summary>
public static class TransfersSetup
{
    public static IServiceCollection AddTransfers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<TransfersOptions, TransfersOptionsValidator>(configuration, TransfersOptions.Section);
        services.AddSingleton<CallTransfers>();
        services.AddHostedService<TransferProgressWorker>();
        return services;
    }
}
