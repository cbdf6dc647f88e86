using Npgsql;

namespace Roadmap.Benchmarks;

/// <summary>
/// A fresh schema name bench_&lt;random&gt;, dropped when disposed (also when the benchmark failed or was interrupted).
/// Its tables are made by Marten (<see cref="BenchStore"/>, or the API under test at its start) and by the projections.
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

    public static Task<BenchSchema> CreateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new BenchSchema(dataSource, "bench_" + Guid.NewGuid().ToString("N")[..12]));
    }

    public async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.CommandTimeout = 0;
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = _dataSource.CreateCommand($"drop schema if exists \"{Name}\" cascade");
            command.CommandTimeout = 120;
            await command.ExecuteNonQueryAsync(CancellationToken.None);
            await Console.Error.WriteLineAsync($"schema {Name}: dropped");
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"warning: could not drop schema {Name}: {e.Message} (drop it by hand: drop schema {Name} cascade)");
        }
    }
}
