using System.Text.RegularExpressions;
using Roadmap.Domain.Deciding;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;
using Xunit.Sdk;

namespace Roadmap.Domain.Tests;

public sealed partial class DomainEventsTests
{
    [GeneratedRegex("^[a-z]+(-[a-z]+)*\\.[a-z]+(-[a-z]+)*$")]
    private static partial Regex EventName();

    [GeneratedRegex("^[a-z]+(-[a-z]+)*$")]
    private static partial Regex KebabCase();

    [Fact]
    public void Every_event_class_of_the_domain_is_registered_under_a_stable_name()
    {
        var eventClasses = typeof(IDomainEvent).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IDomainEvent).IsAssignableFrom(t))
            .ToHashSet();

        Assert.Equal(eventClasses.OrderBy(t => t.Name), DomainEvents.All.Select(e => e.Type).OrderBy(t => t.Name));
    }

    [Fact]
    public void Event_names_are_unique_dotted_kebab_case_and_versioned()
    {
        var names = DomainEvents.All.Select(e => e.Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(DomainEvents.All, e =>
        {
            Assert.Matches(EventName(), e.Name);
            Assert.True(e.Version >= 1);
            Assert.True(e.Type.IsSealed, $"{e.Type.Name} should be a sealed record");
        });
    }

    [Fact]
    public void Violation_codes_are_unique_and_kebab_case()
    {
        Assert.Equal(ViolationCodes.All.Count, ViolationCodes.All.Distinct().Count());
        Assert.All(ViolationCodes.All, code => Assert.Matches(KebabCase(), code));
        Assert.Contains("award-after-cancellation", ViolationCodes.All);
        Assert.Contains("release-unknown", ViolationCodes.All);
    }

    [Fact]
    public void The_spec_helper_fails_when_the_events_differ()
    {
        var registered = new MunicipalityRegistered(Sample.Landsberg, "Landsberg am Lech", LandCode.Bayern, Sample.County, Sample.By, Sample.Now);
        var outcome = Spec.For(Municipality.Decider)
            .When(new RegisterMunicipality(Sample.Landsberg, "Landsberg am Lech", Sample.County, null, Sample.Now, Sample.By));

        Assert.ThrowsAny<XunitException>(() => outcome.Then(registered with { Name = "Landsberg" }));
        Assert.ThrowsAny<XunitException>(() => outcome.ThenFails("name-required"));
        outcome.Then(registered);
    }
}
