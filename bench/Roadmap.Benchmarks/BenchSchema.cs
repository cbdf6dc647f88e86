using Npgsql;
using Roadmap.EventStore.Schema;

namespace Roadmap.Benchmarks;

/// <summary>
/// A fresh schema bench_&lt;random&gt; with the event store's migrations applied, dropped when disposed
/// (also when the benchmark failed or was interrupted).
/// </summary>
internal sealed class BenchSchema : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    private BenchSchema(NpgsqlDataSource dataSource, string name)
    {
        _dataSource = dataSource;
        Name = name;
    }

    public string Name { get; }

    public static async Task<BenchSchema> CreateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var name = "bench_" + Guid.NewGuid().ToString("N")[..12];
        var schema = new BenchSchema(dataSource, name);
        try
        {
            await Console.Error.WriteLineAsync($"schema {name}: applying the event store migrations");
            await new SchemaMigrator(dataSource, name).MigrateAsync(cancellationToken);
            return schema;
        }
        catch
        {
            await schema.DisposeAsync();
            throw;
        }
    }

    public async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // A rebuild that was interrupted leaves its side schema <name>_rb_<projection> (ProjectionRunner) behind.
            var rebuildSchemas = new List<string>();
            await using (var find = _dataSource.CreateCommand("select nspname from pg_namespace where starts_with(nspname, $1)"))
            {
                find.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Name + "_rb_" });
                await using var reader = await find.ExecuteReaderAsync(CancellationToken.None);
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    rebuildSchemas.Add(reader.GetString(0));
                }
            }

            foreach (var schema in rebuildSchemas.Append(Name))
            {
                await using var command = _dataSource.CreateCommand($"drop schema if exists \"{schema}\" cascade");
                command.CommandTimeout = 120;
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }

            await Console.Error.WriteLineAsync($"schema {Name}: dropped{(rebuildSchemas.Count > 0 ? $" (and {string.Join(", ", rebuildSchemas)})" : "")}");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"warning: could not drop schema {Name}: {e.Message} (drop it by hand: drop schema {Name} cascade)");
        }
    }
}
