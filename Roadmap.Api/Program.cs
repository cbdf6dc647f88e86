using FluentValidation;
using JasperFx;
using Roadmap.Api.Access;
using Roadmap.Api.Admin;
using Roadmap.Api.Catalogue;
using Roadmap.Api.Demo;
using Roadmap.Api.Health;
using Roadmap.Api.Infrastructure;
using Roadmap.Api.Integrations.Feeds;
using Roadmap.Api.Integrations.Subscriptions;
using Roadmap.Api.Integrations.Webhooks;
using Roadmap.Api.Municipalities;
using Roadmap.Api.Procedures;
using Roadmap.Api.Procurements;
using Roadmap.Api.Roadmaps;
using Roadmap.Api.Deadlines;
using Roadmap.Api.Rules;
using Wolverine;

var builder = WebApplication.CreateBuilder(args);
// No "Server: Kestrel" on answers; at most Roadmap:Limits:MaxConcurrentConnections open connections (default 1,000).
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.AddServerHeader = false;
    kestrel.Limits.MaxConcurrentConnections = builder.Configuration.GetValue<long?>("Roadmap:Limits:MaxConcurrentConnections") ?? 1_000;
});
builder.Host.UseWolverine(opts => WolverineSetup.Configure(opts, args));
// OpenTelemetry: traces, metrics (/metrics), trace ids in log scopes (docs/0017).
builder.AddRoadmapTelemetry();

// No API key, link token or webhook secret in any log line (issue 13).
builder.Services.AddCredentialRedaction();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<RequestErrorHandler>();
// A database that is down or restarting is a 503 with Retry-After, not a 500.
builder.Services.AddExceptionHandler<DatabaseUnavailableHandler>();
// Binding failures are thrown to RequestErrorHandler, which says what was wrong, instead of a bare 400.
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
// Strict input: a misspelt field, a number for an enum, a string for a number or a missing required value is a 400, not a default.
builder.Services.ConfigureHttpJsonOptions(JsonInput.Configure);
builder.Services.AddOpenApi(OpenApiConventions.Configure);
// Validators are stateless: one instance each for the life of the app.
builder.Services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProcurementRules(builder.Configuration);
builder.Services.AddSingleton<Decisions>();
builder.Services.AddRoadmapEventStore(builder.Configuration);
builder.Services.AddWebhooks(builder.Configuration);
builder.Services.AddRoadmapReadModels();
builder.Services.AddFeeds();
builder.Services.AddDeadlineAlerts(builder.Configuration);
builder.Services.AddRoadmapAccess();
builder.Services.AddRoadmapRateLimits();
builder.Services.AddSingleton<DemoData>();
builder.Services.AddHostedService<DemoDataService>();

var app = builder.Build();

if (ProjectionsCommand.IsInvoked(args))
{
    return await ProjectionsCommand.RunAsync(app.Services, args);
}

if (KeysCommand.IsInvoked(args))
{
    return await KeysCommand.RunAsync(app.Services, args);
}

if (WolverineSetup.IsCodegen(args))
{
    return await app.RunJasperFxCommands(args);
}

app.UseSecurityHeaders();
// Correlation id in every log line of a request (beside the trace id).
app.UseCorrelationScope();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseRequestLimits();
// Swagger UI is static pages that ask for a key themselves ("Authorize"): served before authentication.
app.UseSwaggerUI(options =>
{
    options.SwaggerEndpoint("/openapi/v1.json", "Roadmap API v1");
    options.DocumentTitle = "Roadmap API";
});
app.UseAuthentication();
app.UseRateLimiter();
app.UseAuthorization();

app.MapOpenApi().AllowAnonymous();

app.MapGet("/", () => TypedResults.Redirect("/swagger")).ExcludeFromDescription().AllowAnonymous();
app.MapHealth();
app.MapMetrics();
app.MapProjectionAdmin();
app.MapApiKeys();
app.MapMunicipalities();
app.MapCatalogue();
app.MapProcedures();
app.MapProcurements();
app.MapRoadmaps();
app.MapRoadmapPages();
app.MapRules();
app.MapFeeds();
app.MapSubscriptions();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the API tests.</summary>
public partial class Program;
