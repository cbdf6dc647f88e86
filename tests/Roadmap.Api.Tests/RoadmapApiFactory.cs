using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Roadmap.Api.Tests;

/// <summary>
/// The API in-process on the real database that ./roadmap test provides, in a schema of its own that is
/// dropped afterwards, so API test classes run in parallel with each other and with the other test projects.
/// Time comes from <see cref="Clock"/>, never from rewriting stored rows.
/// </summary>
public class RoadmapApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string Schema { get; } = $"api_{Guid.NewGuid():N}"[..20];

    /// <summary>
    /// The app's TimeProvider: the time of every decision, of every event's recorded_at and the default "today" of the
    /// reads. It stands still at the real time the factory was made until a test sets (AdjustTime, which may go back) or
    /// advances it. Tests of one class run one after the other: a test that cares sets it before it acts. Set it in UTC
    /// (offset 0), as a real clock's GetUtcNow is; Npgsql refuses to store other offsets.
    /// </summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    /// <summary>
    /// True: the app keeps <see cref="TimeProvider.System"/> and <see cref="Clock"/> is not used. For tests of parts that
    /// wait in real time and measure the wait with the clock (webhook retries and worker idle time, feed long-polls,
    /// SSE keep-alives): under a clock that stands still their timeouts would never pass.
    /// </summary>
    public bool SystemClock { get; init; }

    /// <summary>
    /// True: deadline reviews run (when a roadmap changed, daily and at start-up) and record alerts.
    /// Off elsewhere, so the other tests' logs hold only the events they cause.
    /// </summary>
    public bool DeadlineAlerts { get; init; }

    /// <summary>The key webhook secrets are encrypted with in the tests (32 bytes, base64; test-only).</summary>
    public const string TestSecretKey = "dGVzdC1vbmx5LWtleS1mb3Itd2ViaG9vay1zZWNyZXQ=";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Roadmap") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("ConnectionStrings__Roadmap is not set: run the tests with ./roadmap test.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // As in Development: a singleton that takes a scoped service fails the start, not a request in production.
        builder.UseDefaultServiceProvider(options =>
        {
            options.ValidateScopes = true;
            options.ValidateOnBuild = true;
        });
        builder.UseSetting("ConnectionStrings:Roadmap", ConnectionString);
        builder.UseSetting("Roadmap:Schema", Schema);
        builder.UseSetting("Roadmap:Projections:PollIntervalMs", "100");
        builder.UseSetting("Roadmap:Webhooks:SecretKey", TestSecretKey);
        builder.UseSetting("Roadmap:Deadlines:Enabled", DeadlineAlerts ? "true" : "false");
        builder.UseSetting("Roadmap:Deadlines:ReviewPollMs", "100");
        builder.ConfigureServices(services =>
        {
            if (!SystemClock)
            {
                services.AddSingleton<TimeProvider>(Clock);
            }

            ConfigureTestServices(services);
        });
    }

    /// <summary>Extra registrations of a derived factory (test projections, fake clocks).</summary>
    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    public Task InitializeAsync() => Task.CompletedTask;

    private readonly Lock _keysLock = new();
    private string? _adminKey;

    /// <summary>
    /// An admin key (named "it.admin") that every client of <see cref="WebApplicationFactory{TEntryPoint}.CreateClient()"/>
    /// sends: the tests of everything but access itself act as the county's IT administration.
    /// </summary>
    public string AdminKey
    {
        get
        {
            lock (_keysLock)
            {
                return _adminKey ??= CreateKey("it.admin", Roadmap.Api.Access.Roles.Admin);
            }
        }
    }

    /// <summary>A new key of this node's database (the store checks role and scope as for any caller).</summary>
    public string CreateKey(string name, string role, IReadOnlyList<string>? municipalities = null, string? county = null)
    {
        return Services.GetRequiredService<Roadmap.Api.Access.ApiKeyStore>()
            .CreateAsync(name, role, municipalities ?? [], county, "tests", CancellationToken.None).GetAwaiter().GetResult().Key;
    }

    /// <summary>A client that sends no key at all.</summary>
    public HttpClient CreateAnonymousClient()
    {
        _anonymous.Value = true;
        try
        {
            return CreateDefaultClient();
        }
        finally
        {
            _anonymous.Value = false;
        }
    }

    /// <summary>A client with the given key.</summary>
    public HttpClient CreateClient(string key)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Add(Roadmap.Api.Access.ApiKeyAuthentication.Header, key);
        return client;
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        if (!client.DefaultRequestHeaders.Contains(Roadmap.Api.Access.ApiKeyAuthentication.Header) && !_anonymous.Value)
        {
            client.DefaultRequestHeaders.Add(Roadmap.Api.Access.ApiKeyAuthentication.Header, AdminKey);
        }
    }

    private readonly AsyncLocal<bool> _anonymous = new();

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop schema if exists {Schema} cascade", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
