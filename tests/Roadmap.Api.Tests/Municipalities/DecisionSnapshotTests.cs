using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Roadmap.Api.Infrastructure.Deciding;
using Roadmap.Api.Tests.Integrations;
using Roadmap.Domain.Municipalities;
using Roadmap.Domain.Shared;
using Roadmap.EventStore;

namespace Roadmap.Api.Tests.Municipalities;

/// <summary>
/// Decisions read their stream's state from Marten's inline snapshot (<c>FetchForExclusiveWriting</c>), which Marten
/// keeps in a write cache after each commit: a change made on another node must be read, never missed; the snapshot is
/// the decider's fold of the stream; a log from before the snapshots gets them at start-up.
/// </summary>
public sealed class DecisionSnapshotTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Fact]
    public async Task A_node_decides_on_what_another_node_appended_since_it_last_read_the_stream()
    {
        await using var other = new SchemaNodeFactory(factory.Schema, dropSchema: false);
        var a = Client(factory);
        var b = Client(other);
        const string ags = "09181131";
        Assert.Equal(HttpStatusCode.Created, (await a.PostAsJsonAsync("/municipalities", new { ags, name = "Igling", countyAgs = "09181000" })).StatusCode);

        // Node A reads the stream at version 1 (and keeps the state in its write cache) when it renames; node B renames again.
        Assert.Equal(HttpStatusCode.OK, (await a.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Igling am Lech" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await b.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Markt Igling" })).StatusCode);

        // Node A knows the name node B gave: the same name again is refused as unchanged (a state cached at version 2 and
        // trusted would accept it, then fail at every commit).
        var same = await a.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Markt Igling" });
        Assert.Equal(HttpStatusCode.Conflict, same.StatusCode);
        Assert.EndsWith("/name-unchanged", (await same.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        var renamed = await a.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Igling" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(4, (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task The_stored_snapshot_is_the_deciders_fold_of_the_stream_at_its_version()
    {
        var client = Client(factory);
        const string ags = "09181132";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/municipalities", new { ags, name = "Kaufering", countyAgs = "09181000" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Markt Kaufering" })).StatusCode);

        var (json, version) = await StoredAsync(factory.Schema, "decided_municipality", Municipality.StreamId(Ags.Parse(ags)));
        Assert.Equal(2, version);
        // The abstract state is stored with its concrete record's name, and read back as that record.
        Assert.Equal("RegisteredMunicipality", json.GetProperty("state").GetProperty("$type").GetString());
        await using var session = factory.Services.GetRequiredService<IDocumentStore>().QuerySession();
        var snapshot = await session.LoadAsync<DecidedState<MunicipalityState>>(Municipality.StreamId(Ags.Parse(ags)));
        var folded = await factory.Services.GetRequiredService<PostgresEventStore>().AggregateStreamAsync(
            Municipality.StreamId(Ags.Parse(ags)), Municipality.Decider.Initial, Municipality.Decider.EvolveStored);
        Assert.Equal(new RegisteredMunicipality(Ags.Parse(ags), "Markt Kaufering"), snapshot!.State);
        Assert.Equal(folded.State, snapshot.State);
    }

    [Fact]
    public async Task A_stream_without_a_snapshot_gets_one_at_start_up_and_is_decided_on_its_whole_history()
    {
        var client = Client(factory);
        const string ags = "09181133";
        var streamId = Municipality.StreamId(Ags.Parse(ags));
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/municipalities", new { ags, name = "Prittriching", countyAgs = "09181000" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Markt Prittriching" })).StatusCode);

        // As a log written before the snapshots existed: the stream has events, its snapshot is gone.
        await ExecuteAsync($"delete from {factory.Schema}.mt_doc_decided_municipality where id = '{streamId}'");

        // A node that starts builds it before it takes requests, from the whole stream.
        await using var other = new SchemaNodeFactory(factory.Schema, dropSchema: false);
        var b = Client(other);
        var (json, version) = await StoredAsync(factory.Schema, "decided_municipality", streamId);
        Assert.Equal(2, version);
        Assert.Equal("Markt Prittriching", json.GetProperty("state").GetProperty("name").GetString());

        var same = await b.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Markt Prittriching" });
        Assert.Equal(HttpStatusCode.Conflict, same.StatusCode);
        var renamed = await b.PostAsJsonAsync($"/municipalities/{ags}/name", new { name = "Prittriching" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        Assert.Equal(3, (await renamed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task A_stream_whose_snapshot_is_missing_is_never_decided_as_if_it_were_new()
    {
        await using var other = new SchemaNodeFactory(factory.Schema, dropSchema: false);
        var b = Client(other);
        var client = Client(factory);
        const string ags = "09181134";
        var streamId = Municipality.StreamId(Ags.Parse(ags));
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/municipalities", new { ags, name = "Scheuring", countyAgs = "09181000" })).StatusCode);

        // Lost after node B started (so it was not built again): B has never read the stream, so nothing is cached.
        await ExecuteAsync($"delete from {factory.Schema}.mt_doc_decided_municipality where id = '{streamId}'");
        var again = await b.PostAsJsonAsync("/municipalities", new { ags, name = "Scheuring", countyAgs = "09181000" });
        Assert.Equal(HttpStatusCode.InternalServerError, again.StatusCode);

        await using var connection = new NpgsqlConnection(RoadmapApiFactory.ConnectionString);
        await connection.OpenAsync();
        await using var count = new NpgsqlCommand($"select version from {factory.Schema}.mt_streams where id = '{streamId}'", connection);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    private static async Task<(JsonElement Json, long Version)> StoredAsync(string schema, string alias, string id)
    {
        await using var connection = new NpgsqlConnection(RoadmapApiFactory.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand($"select data::text, mt_version from {schema}.mt_doc_{alias} where id = $1", connection);
        read.Parameters.AddWithValue(id);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), $"no snapshot of {id}");
        return (JsonDocument.Parse(reader.GetString(0)).RootElement.Clone(), reader.GetInt32(1));
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(RoadmapApiFactory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static HttpClient Client(RoadmapApiFactory node)
    {
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Add("X-Actor", "it.admin");
        return client;
    }
}
