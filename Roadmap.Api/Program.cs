using Roadmap.Api.Admin;
using Roadmap.Api.Health;
using Roadmap.Api.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddRoadmapEventStore(builder.Configuration);

var app = builder.Build();

if (ProjectionsCommand.IsInvoked(args))
{
    return await ProjectionsCommand.RunAsync(app.Services, args);
}

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapOpenApi();
app.UseSwaggerUI(options =>
{
    options.SwaggerEndpoint("/openapi/v1.json", "Roadmap API v1");
    options.DocumentTitle = "Roadmap API";
});

app.MapGet("/", () => TypedResults.Redirect("/swagger")).ExcludeFromDescription();
app.MapHealth();
app.MapProjectionAdmin();

await app.RunAsync();
return 0;

/// <summary>Entry point, visible to WebApplicationFactory in the API tests.</summary>
public partial class Program;
