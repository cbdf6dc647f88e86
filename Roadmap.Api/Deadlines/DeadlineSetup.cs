namespace Roadmap.Api.Deadlines;

public static class DeadlineSetup
{
    /// <summary>Deadline alerts (configuration section Roadmap:Deadlines, see <see cref="DeadlineOptions"/>); the handlers are Wolverine's.</summary>
    public static IServiceCollection AddDeadlineAlerts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(DeadlineOptions.From(configuration));
        services.AddHostedService<DeadlineStartup>();
        services.AddHostedService<DeadlineWatcher>();
        return services;
    }
}
