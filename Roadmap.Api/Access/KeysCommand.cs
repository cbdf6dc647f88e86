using Npgsql;
using Roadmap.Api.Infrastructure;
using Roadmap.EventStore;

namespace Roadmap.Api.Access;

/// <summary>
/// <c>Roadmap.Api keys create|list|revoke</c> (what <c>./roadmap keys ...</c> runs): an operator's way to the first
/// admin key and to every other. <c>create</c> prints the key alone on its last line, so a script can take it.
/// </summary>
public static class KeysCommand
{
    public static bool IsInvoked(string[] args) => args.Length > 0 && args[0] == "keys";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args)
    {
        var rest = args.Skip(1).Where(a => !a.StartsWith("--urls", StringComparison.Ordinal)).ToList();
        var store = services.GetRequiredService<ApiKeyStore>();
        try
        {
            // The table exists before the service has ever started on this database.
            await SchemaMigrationService.ApiMigrator(services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<EventStoreOptions>().Schema)
                .MigrateAsync(CancellationToken.None);
            switch (rest)
            {
                case ["list"]:
                    foreach (var key in await store.ListAsync(CancellationToken.None))
                    {
                        var scope = key.County is not null ? $"county {key.County}" : key.Municipalities.Count > 0 ? string.Join(",", key.Municipalities) : "all";
                        Console.WriteLine($"{key.Prefix}  {key.Role,-11}  {scope,-30}  {(key.RevokedAt is null ? "active " : "revoked")}  {key.Name}");
                    }

                    return 0;
                case ["revoke", var prefix]:
                    if (await store.RevokeAsync(prefix, CancellationToken.None))
                    {
                        Console.WriteLine($"revoked {prefix}");
                        return 0;
                    }

                    await Console.Error.WriteLineAsync($"error: no active key has the prefix '{prefix}'");
                    return 1;
                case ["create", .. var options]:
                    return await CreateAsync(store, options);
                default:
                    return Usage();
            }
        }
        catch (NpgsqlException e)
        {
            await Console.Error.WriteLineAsync($"error: database: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> CreateAsync(ApiKeyStore store, IReadOnlyList<string> options)
    {
        string? role = null, name = null, county = null;
        var municipalities = new List<string>();
        for (var i = 0; i < options.Count; i++)
        {
            var value = i + 1 < options.Count ? options[i + 1] : null;
            switch (options[i])
            {
                case "--role" when value is not null: role = value; i++; break;
                case "--name" when value is not null: name = value; i++; break;
                case "--county" when value is not null: county = value; i++; break;
                case "--municipality" when value is not null: municipalities.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)); i++; break;
                default: return Usage($"unknown or incomplete option: {options[i]}");
            }
        }

        name ??= role is null ? null : $"{role} {(county ?? string.Join(",", municipalities))}".Trim();
        if (ApiKeyStore.Validate(name, role, municipalities, county) is { } problem)
        {
            return Usage(problem);
        }

        var created = await store.CreateAsync(name!, role!, municipalities, county, "roadmap keys create", CancellationToken.None);
        var info = created.Info;
        await Console.Error.WriteLineAsync(
            $"created {info.Prefix} ({info.Role}, {(info.County is not null ? $"county {info.County}" : info.Municipalities.Count > 0 ? string.Join(",", info.Municipalities) : "all")}): " +
            "the key follows; it is shown this once.");
        Console.WriteLine(created.Key);
        return 0;
    }

    private static int Usage(string? error = null)
    {
        if (error is not null)
        {
            Console.Error.WriteLine($"error: {error}");
        }

        Console.Error.WriteLine(
            """
            usage: roadmap keys create --role admin|planner|reader|integration|link [--municipality AGS[,AGS...]] [--county AGS] [--name NAME]
                   roadmap keys list
                   roadmap keys revoke PREFIX
            """);
        return 2;
    }
}
