using Npgsql;

namespace Roadmap.EventStore.Tests.Infrastructure;

/// <summary>The real PostgreSQL the tests run against: ./roadmap test starts one and sets the variable.</summary>
public static class TestDatabase
{
    public const string ConnectionStringVariable = "ConnectionStrings__Roadmap";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{ConnectionStringVariable} is not set. Run the tests with ./roadmap test, which starts a throwaway PostgreSQL cluster, or set it to a database you own.");
}

/// <summary>
/// A schema of its own for one test class (xunit class fixture): created and migrated before the first test,
/// dropped after the last, so classes run in parallel and leave nothing behind.
/// </summary>
public class SchemaFixture : IAsyncLifetime
{
    public string Schema { get; } = $"t_{Guid.NewGuid():N}"[..20];

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public Serialization.EventTypeRegistry Types { get; } = TestEvents.Registry();

    public PostgresEventStore Store { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        DataSource = EventStoreDataSource.Create(TestDatabase.ConnectionString, "roadmap-tests");
        await new Schema.SchemaMigrator(DataSource, Schema).MigrateAsync();
        Store = new PostgresEventStore(DataSource, new EventStoreOptions(Schema, Types));
    }

    public async Task DisposeAsync()
    {
        await using (var drop = DataSource.CreateCommand($"drop schema if exists {Schema} cascade"))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await DataSource.DisposeAsync();
    }
}
