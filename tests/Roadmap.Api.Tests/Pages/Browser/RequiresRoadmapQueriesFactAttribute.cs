using Roadmap.Projections.Roadmaps;

namespace Roadmap.Api.Tests.Pages.Browser;

/// <summary>
/// A test that goes through the IRoadmapQueries the app registers. Until an implementation exists in
/// Roadmap.Projections or Roadmap.Api (it is built in parallel with the pages), the test is reported as skipped
/// with that reason instead of failing on a service the app cannot resolve.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresRoadmapQueriesFactAttribute : FactAttribute
{
    public RequiresRoadmapQueriesFactAttribute()
    {
        if (!Implemented)
        {
            Skip = "No IRoadmapQueries implementation in Roadmap.Projections or Roadmap.Api yet.";
        }
    }

    public static bool Implemented { get; } =
        new[] { typeof(IRoadmapQueries).Assembly, typeof(Program).Assembly }
            .SelectMany(a => a.GetTypes())
            .Any(t => t is { IsClass: true, IsAbstract: false } && typeof(IRoadmapQueries).IsAssignableFrom(t));
}
