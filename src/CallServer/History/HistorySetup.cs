using CallServer.Configuration;

namespace CallServer.History;

/// <summary>
/// Registers call history: <c>History:*</c> (checked at start), the service the endpoints read through, the
/// notifier of changed histories, and the writer that works the history outbox. The store is part of the
/// state (<c>AddState</c>).
/// </summary>
public static class HistorySetup
{
    public static IServiceCollection AddHistory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<HistoryOptions, HistoryOptionsValidator>(configuration, HistoryOptions.Section);
        services.AddSingleton<CallHistoryNotifier>();
        services.AddSingleton<CallHistoryService>();
        services.AddHostedService<HistoryWriter>();
        return services;
    }
}
