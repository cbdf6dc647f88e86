using Roadmap.EventStore.Schema;
using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrations_run_once_even_when_many_instances_start_together()
    {
        var schema = $"m_{Guid.NewGuid():N}"[..20];
        await using var dataSource = EventStoreDataSource.Create(TestDatabase.ConnectionString);
        try
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => new SchemaMigrator(dataSource, schema).MigrateAsync()));

            var expected = SchemaMigrator.EmbeddedMigrations.Select(m => m.Version).ToList();
            Assert.Single(runs, applied => applied.Count > 0);
            Assert.Equal(expected, runs.Single(applied => applied.Count > 0));
            Assert.Empty(await new SchemaMigrator(dataSource, schema).MigrateAsync());

            await using var count = dataSource.CreateCommand($"select count(*) from {schema}.schema_migrations where component = 'event_store'");
            Assert.Equal((long)expected.Count, (long)(await count.ExecuteScalarAsync())!);
        }
        finally
        {
            await using var drop = dataSource.CreateCommand($"drop schema if exists {schema} cascade");
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Theory]
    [InlineData("Roadmap")]
    [InlineData("drop table x; --")]
    [InlineData("1abc")]
    [InlineData("")]
    public void A_schema_name_that_is_not_a_plain_identifier_is_refused(string schema)
    {
        var error = Assert.Throws<ArgumentException>(() => new EventStoreOptions(schema, new Serialization.EventTypeRegistry()));
        Assert.Contains("Schema name", error.Message, StringComparison.Ordinal);
    }
}
