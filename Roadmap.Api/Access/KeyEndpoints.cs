using Roadmap.Api.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Roadmap.Api.Infrastructure;

namespace Roadmap.Api.Access;

/// <summary>A key to create: who uses it, its role, and its scope (municipalities or a county; none for admin).</summary>
public sealed record CreateApiKeyRequest(string Name, string Role, IReadOnlyList<string>? Municipalities = null, string? County = null);

/// <summary>Keys for callers, managed by an admin: created (the key is shown once), listed (never the key), revoked.</summary>
public static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeys(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/admin/keys").WithTags("Admin").RequireAccess(Access.Admin);
        keys.MapPost("/", CreateAsync)
            .WithSummary("Creates an API key. The key is in this answer only: store it now; Roadmap keeps its hash.")
            .Produces<CreatedApiKey>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest);
        keys.MapGet("/", ListAsync).WithSummary("Every key with its visible prefix, role, scope and whether it is revoked (never the key).");
        keys.MapDelete("/{prefix}", RevokeAsync)
            .WithSummary("Revokes a key by its prefix; every node refuses it within a few seconds.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Created<CreatedApiKey>, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, ApiKeyStore store, HttpContext http, CancellationToken cancellationToken)
    {
        if (ApiKeyStore.Validate(request.Name, request.Role, request.Municipalities, request.County) is { } problem)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "key-invalid", "The key cannot be created", problem);
        }

        var created = await store.CreateAsync(request.Name, request.Role, request.Municipalities ?? [], request.County, Actor.Of(http), cancellationToken);
        return TypedResults.Created($"/admin/keys/{created.Info.Prefix}", created);
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyInfo>>> ListAsync(ApiKeyStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string prefix, ApiKeyStore store, CancellationToken cancellationToken) =>
        await store.RevokeAsync(prefix, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.Create(StatusCodes.Status404NotFound, "not-found", "No such key", $"No active key has the prefix '{prefix}'.");
}
