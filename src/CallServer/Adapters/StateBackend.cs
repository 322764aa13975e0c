using CallServer.Configuration;

namespace CallServer.Adapters;

/// <summary>
/// Where the server's state lives: in this process (one node) or in Redis (any number of nodes). The choice
/// is made once per service collection, from <c>Redis:Configuration</c> (<see cref="Choose"/>), and kept as a
/// singleton; every registration that depends on it reads that (<see cref="Of"/>) rather than the configuration.
/// </summary>
public sealed class StateBackend
{
    public static readonly StateBackend InMemory = new("in-memory", isRedis: false);

    public static readonly StateBackend Redis = new("redis", isRedis: true);

    private readonly string name;

    private StateBackend(string name, bool isRedis)
    {
        this.name = name;
        IsRedis = isRedis;
    }

    public bool IsRedis { get; }

    /// <summary>
    /// The backend of <paramref name="services"/>: the one already chosen, or else the one
    /// <paramref name="configuration"/> asks for (Redis when <c>Redis:Configuration</c> is set), now registered.
    /// </summary>
    public static StateBackend Choose(IServiceCollection services, IConfiguration configuration)
    {
        if (Registered(services) is { } chosen)
        {
            return chosen;
        }

        var backend = configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() is { Enabled: true } ? Redis : InMemory;
        services.AddSingleton(backend);
        return backend;
    }

    /// <summary>The backend chosen for <paramref name="services"/>; the state is registered first (<c>AddState</c>).</summary>
    public static StateBackend Of(IServiceCollection services) =>
        Registered(services) ?? throw new InvalidOperationException(
            $"No state backend is chosen yet: call {nameof(StateSetup.AddState)} (or AddRedisState / AddInMemoryState) before the registrations that depend on it.");

    /// <summary>Registers <paramref name="backend"/> as the choice, unless it already is; another choice made before is an error.</summary>
    internal static void Use(IServiceCollection services, StateBackend backend)
    {
        var chosen = Registered(services);
        if (chosen is null)
        {
            services.AddSingleton(backend);
        }
        else if (chosen != backend)
        {
            throw new InvalidOperationException($"The state backend is already chosen ({chosen}); it cannot also be {backend}.");
        }
    }

    public override string ToString() => name;

    private static StateBackend? Registered(IServiceCollection services) =>
        services.LastOrDefault(descriptor => descriptor.ServiceType == typeof(StateBackend) && !descriptor.IsKeyedService)?.ImplementationInstance as StateBackend;
}
