using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Roadmap.EventStore.Schema;

/// <summary>
/// Applies the numbered SQL files embedded under Migrations/ to the configured schema, once each, in order,
/// inside one transaction that holds an advisory lock per schema, so that API instances starting together
/// never race. Each applied file is recorded with a checksum; a file changed after it was applied is an error.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, string schema, string component, IReadOnlyList<Migration> migrations)
{
    /// <summary>The migrations this migrator applies, in order.</summary>
    public IReadOnlyList<Migration> Migrations => migrations;

    private const string SchemaPlaceholder = "__schema__";

    /// <summary>Applies what is missing; returns the versions it applied (empty when up to date).</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var lockCommand = new NpgsqlCommand("select pg_advisory_xact_lock(hashtextextended($1, 0))", connection, transaction))
        {
            lockCommand.Parameters.AddWithValue($"roadmap.migrations:{schema}");
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var bootstrap = new NpgsqlCommand(
            $"""
            create schema if not exists {schema};
            create table if not exists {schema}.schema_migrations (
              component  text        not null,
              version    integer     not null,
              name       text        not null,
              checksum   text        not null,
              applied_at timestamptz not null default now(),
              primary key (component, version)
            );
            """, connection, transaction))
        {
            await bootstrap.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new Dictionary<int, string>();
        await using (var query = new NpgsqlCommand($"select version, checksum from {schema}.schema_migrations where component = $1", connection, transaction))
        {
            query.Parameters.AddWithValue(component);
            await using var reader = await query.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied[reader.GetInt32(0)] = reader.GetString(1);
            }
        }

        var newlyApplied = new List<int>();
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (checksum != migration.Checksum)
                {
                    throw new InvalidOperationException(
                        $"Migration {migration.Name} was changed after it was applied to schema '{schema}'. Add a new numbered migration instead.");
                }

                continue;
            }

            await using (var apply = new NpgsqlCommand(migration.Sql.Replace(SchemaPlaceholder, schema, StringComparison.Ordinal), connection, transaction))
            {
                await apply.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var record = new NpgsqlCommand(
                $"insert into {schema}.schema_migrations (component, version, name, checksum) values ($1, $2, $3, $4)", connection, transaction))
            {
                record.Parameters.AddWithValue(component);
                record.Parameters.AddWithValue(migration.Version);
                record.Parameters.AddWithValue(migration.Name);
                record.Parameters.AddWithValue(migration.Checksum);
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            newlyApplied.Add(migration.Version);
        }

        await transaction.CommitAsync(cancellationToken);
        return newlyApplied;
    }

    /// <summary>Reads numbered files named like <c>0001_description.sql</c> from an assembly's resources.</summary>
    public static IReadOnlyList<Migration> LoadEmbedded(Assembly assembly)
    {
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            // Resource names look like Roadmap.EventStore.Migrations.0001_streams_and_events.sql
            var fileName = resource[(resource.LastIndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(fileName[..underscore], System.Globalization.CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"Migration resource '{resource}' must be named NNNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
            migrations.Add(new Migration(version, fileName, sql, checksum));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException($"Two migrations share number {migrations[i].Version}.");
            }
        }

        return migrations;
    }
}

public sealed record Migration(int Version, string Name, string Sql, string Checksum);
