using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;
using Roadmap.EventStore.Projections;

namespace Roadmap.Api.Tests.Admin;

public sealed record Pinged(string Target, int Number);

/// <summary>Counts events per stream; deterministic, so a rebuild must reproduce it row for row.</summary>
public sealed class PingCounts : Projection
{
    public override string Name => "ping_counts";

    public override IReadOnlyList<string> Tables => ["ping_counts"];

    public override string TablesSql =>
        "create table if not exists __schema__.ping_counts (stream_id text primary key, pings int not null, last_number int not null);";

    public override Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var recorded in batch.Events)
        {
            if (recorded.Data is not Pinged pinged)
            {
                continue;
            }

            batch.Write(
                $"""
                insert into {batch.Table("ping_counts")} (stream_id, pings, last_number) values ($1, 1, $2)
                on conflict (stream_id) do update set pings = ping_counts.pings + 1, last_number = excluded.last_number
                """,
                recorded.StreamId, pinged.Number);
        }

        return Task.CompletedTask;
    }
}

public sealed class ProjectionAdminFactory : RoadmapApiFactory
{
    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddProjection(new PingCounts(), ProjectionLifecycle.Async);
}

public sealed class ProjectionAdminTests(ProjectionAdminFactory factory) : IClassFixture<ProjectionAdminFactory>
{
    private static readonly Lock RegistryLock = new();

    private async Task<long> PingAsync(string stream, int count)
    {
        var store = factory.Services.GetRequiredService<PostgresEventStore>();
        lock (RegistryLock)
        {
            if (!store.Options.Types.IsRegistered(typeof(Pinged)))
            {
                store.Options.Types.Register<Pinged>("test.pinged");
            }
        }

        // Appended behind the API on purpose: these tests are about the projection runner and its admin endpoints, and
        // a test event of their own (no decider, no read model of the app) keeps them apart from the domain's streams.
        var result = await store.AppendAsync(stream, ExpectedVersion.Any,
            Enumerable.Range(1, count).Select(i => new NewEvent(Guid.NewGuid(), new Pinged(stream, i))).ToList());
        return result.GlobalPositions[^1];
    }

    private async Task<List<(string Stream, int Pings, int Last)>> ReadModelAsync()
    {
        var dataSource = factory.Services.GetRequiredService<NpgsqlDataSource>();
        await using var command = dataSource.CreateCommand($"select stream_id, pings, last_number from {factory.Schema}.ping_counts order by stream_id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, int, int)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2)));
        }

        return rows;
    }

    private Task CatchUpAsync(long position) =>
        factory.Services.GetRequiredService<ProjectionAdmin>().WaitForCatchUpAsync("ping_counts", position, TimeSpan.FromSeconds(20));

    [Fact]
    public async Task The_status_lists_the_projection_with_its_checkpoint_and_no_lag_once_caught_up()
    {
        var client = factory.CreateClient();
        var last = await PingAsync($"status-{Guid.NewGuid():N}", 5);
        await CatchUpAsync(last);

        var list = await client.GetFromJsonAsync<JsonElement>("/admin/projections");
        var entry = list.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "ping_counts");

        Assert.Equal("async", entry.GetProperty("lifecycle").GetString());
        var status = entry.GetProperty("status");
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.True(status.GetProperty("checkpoint").GetProperty("position").GetInt64() >= last);
        Assert.False(string.IsNullOrEmpty(status.GetProperty("runningOn").GetString()));
    }

    [Fact]
    public async Task An_unknown_projection_is_a_404_problem()
    {
        var client = factory.CreateClient();

        var get = await client.GetAsync("/admin/projections/no_such_thing");
        var rebuild = await client.PostAsync("/admin/projections/no_such_thing/rebuild", null);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, rebuild.StatusCode);
        var problem = await rebuild.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/projection-unknown", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_rebuild_started_over_http_reproduces_the_read_model_and_swaps_it_in()
    {
        var client = factory.CreateClient();
        var streams = new List<string>();
        var last = 0L;
        for (var i = 0; i < 20; i++)
        {
            var stream = $"rebuild-{i:D2}-{Guid.NewGuid():N}";
            streams.Add(stream);
            last = await PingAsync(stream, 1 + (i % 4));
        }

        await CatchUpAsync(last);
        var before = (await ReadModelAsync()).Where(r => streams.Contains(r.Stream)).ToList();
        Assert.Equal(20, before.Count);

        var response = await client.PostAsync("/admin/projections/ping_counts/rebuild", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        JsonElement status = default;
        for (var attempt = 0; attempt < 300; attempt++)
        {
            status = (await client.GetFromJsonAsync<JsonElement>("/admin/projections/ping_counts")).GetProperty("status");
            if (status.GetProperty("rebuild").ValueKind == JsonValueKind.Null && status.GetProperty("rebuiltAt").ValueKind != JsonValueKind.Null)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("rebuiltAt").ValueKind);
        Assert.Equal("running", status.GetProperty("state").GetString());
        Assert.Equal(before, (await ReadModelAsync()).Where(r => streams.Contains(r.Stream)).ToList());
    }

    [Fact]
    public async Task A_stopped_projection_falls_behind_and_catches_up_after_resume()
    {
        var client = factory.CreateClient();
        var stream = $"stop-{Guid.NewGuid():N}";

        var stop = await client.PostAsync("/admin/projections/ping_counts/stop", null);
        Assert.Equal(HttpStatusCode.OK, stop.StatusCode);
        var last = await PingAsync(stream, 3);

        var stopped = (await client.GetFromJsonAsync<JsonElement>("/admin/projections/ping_counts")).GetProperty("status");
        Assert.Equal("stopped", stopped.GetProperty("state").GetString());

        var resume = await client.PostAsync("/admin/projections/ping_counts/resume", null);
        Assert.Equal(HttpStatusCode.OK, resume.StatusCode);
        await CatchUpAsync(last);

        Assert.Contains((stream, 3, 3), await ReadModelAsync());
    }

    [Fact]
    public async Task The_rebuild_command_waits_for_the_swap_and_exits_zero()
    {
        var stream = $"cli-{Guid.NewGuid():N}";
        var last = await PingAsync(stream, 4);
        await CatchUpAsync(last);
        var before = await factory.Services.GetRequiredService<ProjectionAdmin>().GetStatusAsync("ping_counts");

        var exit = await Roadmap.Api.Admin.ProjectionsCommand.RunAsync(factory.Services, ["projections", "rebuild", "ping_counts"]);

        Assert.Equal(0, exit);
        var after = await factory.Services.GetRequiredService<ProjectionAdmin>().GetStatusAsync("ping_counts");
        Assert.NotNull(after?.RebuiltAt);
        Assert.NotEqual(before?.RebuiltAt, after.RebuiltAt);
        Assert.Contains((stream, 4, 4), await ReadModelAsync());
        Assert.Equal(2, await Roadmap.Api.Admin.ProjectionsCommand.RunAsync(factory.Services, ["projections", "rebuild", "nope"]));
    }
}
