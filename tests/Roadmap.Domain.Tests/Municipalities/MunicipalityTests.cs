using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;
using static Roadmap.Domain.Tests.Sample;

namespace Roadmap.Domain.Tests.Municipalities;

public sealed class MunicipalityTests
{
    private static readonly MunicipalityRegistered LandsbergRegistered =
        new(Landsberg, "Landsberg am Lech", LandCode.Bayern, County, By, Now);

    private static DeciderSpec<IMunicipalityCommand, IMunicipalityEvent, MunicipalityState> Spec() => Tests.Spec.For(Municipality.Decider);

    [Fact]
    public void Registering_a_municipality_derives_its_land_from_the_ags()
    {
        Spec().When(new RegisterMunicipality(Landsberg, " Landsberg am Lech ", County, null, Now, By))
            .Then(new MunicipalityRegistered(Landsberg, "Landsberg am Lech", LandCode.Bayern, County, By, Now));
    }

    [Fact]
    public void The_county_registers_itself_with_its_own_ags()
    {
        Spec().When(new RegisterMunicipality(County, "Landkreis Landsberg am Lech", County, LandCode.Bayern, Now, By))
            .Then(new MunicipalityRegistered(County, "Landkreis Landsberg am Lech", LandCode.Bayern, County, By, Now));
    }

    [Fact]
    public void Registering_a_municipality_twice_is_rejected()
    {
        Spec().Given(LandsbergRegistered)
            .When(new RegisterMunicipality(Landsberg, "Landsberg", County, null, Now, By))
            .ThenFails("municipality-already-registered");
    }

    [Fact]
    public void A_municipality_of_another_county_is_rejected()
    {
        var violation = Spec().When(new RegisterMunicipality(Starnberg, "Starnberg", County, null, Now, By))
            .ThenFails("ags-not-in-county");

        Assert.Equal("ags", violation.Field);
    }

    [Fact]
    public void A_county_ags_that_names_a_municipality_is_rejected()
    {
        Spec().When(new RegisterMunicipality(Kaufering, "Kaufering", Landsberg, null, Now, By))
            .ThenFails("county-ags-invalid");
    }

    [Fact]
    public void A_land_that_contradicts_the_ags_is_rejected()
    {
        Spec().When(new RegisterMunicipality(Landsberg, "Landsberg am Lech", County, LandCode.Parse("08"), Now, By))
            .ThenFails("land-mismatch");
    }

    [Fact]
    public void A_municipality_without_a_name_is_rejected()
    {
        Spec().When(new RegisterMunicipality(Landsberg, "  ", County, null, Now, By)).ThenFails("name-required");
    }

    [Fact]
    public void A_decision_without_an_actor_is_rejected()
    {
        Spec().When(new RegisterMunicipality(Landsberg, "Landsberg am Lech", County, null, Now, "")).ThenFails("actor-required");
    }

    [Fact]
    public void Renaming_records_the_previous_name()
    {
        Spec().Given(LandsbergRegistered)
            .When(new RenameMunicipality(Landsberg, "Große Kreisstadt Landsberg am Lech", Now, By))
            .Then(new MunicipalityRenamed(Landsberg, "Große Kreisstadt Landsberg am Lech", "Landsberg am Lech", By, Now));
    }

    [Fact]
    public void Renaming_to_the_same_name_is_rejected()
    {
        Spec().Given(LandsbergRegistered)
            .When(new RenameMunicipality(Landsberg, "Landsberg am Lech", Now, By))
            .ThenFails("name-unchanged");
    }

    [Fact]
    public void Renaming_an_unregistered_municipality_is_not_found()
    {
        Spec().When(new RenameMunicipality(Kaufering, "Kaufering", Now, By)).ThenFails("municipality-unknown");
    }
}
