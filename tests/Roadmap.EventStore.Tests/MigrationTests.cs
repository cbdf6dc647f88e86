using Roadmap.EventStore.Schema;
using Roadmap.EventStore.Tests.Infrastructure;

namespace Roadmap.EventStore.Tests;

/// <summary>The SQL migrator the API's own tables go through (idempotency keys, webhooks, projection controls).</summary>
public sealed class MigrationTests
{
    private static readonly IReadOnlyList<Migration> Migrations =
    [
        new(1, "0001_first.sql", "create table __schema__.first (id int primary key);", "c1"),
        new(2, "0002_second.sql", "create table __schema__.second (id int primary key); insert into __schema__.first values (1);", "c2"),
    ];

    [Fact]
    public async Task Migrations_run_once_in_order_even_when_many_instances_start_together()
    {
        var schema = $"m_{Guid.NewGuid():N}"[..20];
        await using var dataSource = TestDatabase.DataSource();
        try
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => new SchemaMigrator(dataSource, schema, "test", Migrations).MigrateAsync())));

            Assert.Single(runs, applied => applied.Count > 0);
            Assert.Equal([1, 2], runs.Single(applied => applied.Count > 0));
            Assert.Empty(await new SchemaMigrator(dataSource, schema, "test", Migrations).MigrateAsync());
            Assert.Equal(2, await TestDatabase.ScalarAsync(dataSource, $"select count(*) from {schema}.schema_migrations where component = 'test'"));
            Assert.Equal(1, await TestDatabase.ScalarAsync(dataSource, $"select count(*) from {schema}.first"));

            // A migration changed after it was applied is refused, not applied again.
            IReadOnlyList<Migration> changed = [Migrations[0] with { Checksum = "other" }, Migrations[1]];
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => new SchemaMigrator(dataSource, schema, "test", changed).MigrateAsync());
            Assert.Contains("0001_first.sql", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await TestDatabase.ExecuteAsync(dataSource, $"drop schema if exists {schema} cascade");
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
