using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;

namespace Roadmap.Api.Tests.Procurements;

/// <summary>The API with a rules file of its own in which the 2026–2027 EU threshold for municipalities is 600,000 €.</summary>
public sealed class ConfiguredRulesFactory : RoadmapApiFactory
{
    public string RulesFile { get; } = Path.Combine(Path.GetTempPath(), $"roadmap-rules-{Guid.NewGuid():N}.json");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        using (var shipped = typeof(Roadmap.Domain.Procurement.ProcurementRuleSet).Assembly.GetManifestResourceStream(
                   typeof(Roadmap.Domain.Procurement.ProcurementRuleSet).Assembly.GetManifestResourceNames().Single(n => n.EndsWith("procurement-rules.json", StringComparison.Ordinal)))!)
        using (var reader = new StreamReader(shipped))
        {
            var json = reader.ReadToEnd();
            Assert.Contains("\"SubCentral\": 216000", json, StringComparison.Ordinal);
            File.WriteAllText(RulesFile, json.Replace("\"SubCentral\": 216000", "\"SubCentral\": 600000", StringComparison.Ordinal));
        }

        base.ConfigureWebHost(builder);
        builder.UseSetting("Roadmap:ProcurementRulesFile", RulesFile);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(RulesFile);
    }
}

public sealed class ConfiguredRulesTests(ConfiguredRulesFactory factory) : IClassFixture<ConfiguredRulesFactory>
{
    [Fact]
    public async Task A_configured_threshold_decides_the_suggested_procedure()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Actor", "pm.mueller");
        var participants = new List<object>();
        var shares = new List<object>();
        foreach (var ags in new[] { "09181114", "09181128", "09181130" })
        {
            Assert.Equal(HttpStatusCode.Created,
                (await client.PostAsJsonAsync("/municipalities", new { ags, name = $"Gemeinde {ags}", countyAgs = "09181000" })).StatusCode);
            var introduced = await client.PostAsJsonAsync($"/municipalities/{ags}/procedures",
                new { category = "Einwohnermeldewesen", releaseId = await ApiSeeds.ReleaseAsync(client), name = "Lech-EWO", introducedOn = "2015-01-01" });
            var procedureId = ApiSeeds.CreatedId(introduced);
            participants.Add(new { ags, procedureId });
            shares.Add(new { ags, netValue = 180_000m });
        }

        var opened = await client.PostAsJsonAsync("/procurements",
            new { title = "Einwohnermeldewesen gemeinsam", category = "Einwohnermeldewesen", leadAgs = "09181114", participants });
        var id = opened.Headers.Location!.ToString().Split('/')[^1];
        await client.PostAsJsonAsync($"/procurements/{id}/value-estimate", new { shares, includesOptions = true });
        var determination = await client.PostAsJsonAsync($"/procurements/{id}/procedure-determination", new { plannedPublicationOn = "2026-03-02" });

        Assert.Equal(HttpStatusCode.OK, determination.StatusCode);
        var determined = (await client.GetFromJsonAsync<JsonElement>($"/procurements/{id}")).GetProperty("determination");
        Assert.Equal(600_000m, determined.GetProperty("threshold").GetProperty("amount").GetDecimal());
        Assert.False(determined.GetProperty("suggestedType").GetString()!.StartsWith("Eu", StringComparison.Ordinal),
            "540,000 € lies below the configured 600,000 € threshold, so no EU procedure is required");
    }
}
