using Roadmap.Domain.Procurement;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// The procurement rules the service decides and plans with: thresholds, Land limits, legal periods, planning
/// durations, buffer and freeze windows, each with its validity period. <c>Roadmap:ProcurementRulesFile</c> names
/// a JSON file of the same shape as the shipped <c>Roadmap.Domain/Procurement/procurement-rules.json</c>; without
/// it the shipped rules apply. A file that does not validate stops the start with the list of its problems.
/// </summary>
public static class ProcurementRules
{
    public const string FileSetting = "Roadmap:ProcurementRulesFile";

    public static IServiceCollection AddProcurementRules(this IServiceCollection services, IConfiguration configuration) =>
        services.AddSingleton(_ =>
        {
            var path = configuration[FileSetting];
            if (string.IsNullOrWhiteSpace(path))
            {
                return ProcurementRuleSet.LoadDefault();
            }

            using var file = File.OpenRead(path);
            return ProcurementRuleSet.Load(file);
        });
}
