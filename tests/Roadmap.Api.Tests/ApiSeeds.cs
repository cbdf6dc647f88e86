using System.Net;
using System.Net.Http.Json;

namespace Roadmap.Api.Tests;

/// <summary>Catalogue entries a test needs before it can introduce a procedure, created through the API like a client would.</summary>
public static class ApiSeeds
{
    /// <summary>A vendor, a residents' registration product and a release whose security support ends on 31.3.2027.</summary>
    public static async Task<Guid> ReleaseAsync(HttpClient client)
    {
        var vendor = CreatedId(await client.PostAsJsonAsync("/catalogue/vendors", new { name = "Lechtal Software GmbH" }));
        var product = CreatedId(await client.PostAsJsonAsync("/catalogue/products", new { vendorId = vendor, name = "Lech-EWO", category = "Einwohnermeldewesen" }));
        return CreatedId(await client.PostAsJsonAsync("/catalogue/releases", new { productId = product, version = "7.2", endOfSecuritySupport = "2027-03-31" }));
    }

    /// <summary>The id of a 201 answer, from its Location.</summary>
    public static Guid CreatedId(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return Guid.Parse(response.Headers.Location!.ToString().Split('/')[^1]);
    }
}
