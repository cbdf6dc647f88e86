using JasperFx.CodeGeneration;
using Wolverine;

namespace Roadmap.Api.Infrastructure;

/// <summary>
/// Wolverine in the API (docs/0013): messages and handlers of this assembly, their transactions on Marten (the envelope
/// tables live in the event log's schema, so a message and the events it causes commit together), and handler code
/// generated ahead of time and committed under Internal/Generated (<c>./roadmap codegen</c>).
/// </summary>
public static class WolverineSetup
{
    /// <summary>The command line verb that regenerates the handler code (JasperFx's <c>codegen write|preview|test</c>).</summary>
    public static bool IsCodegen(string[] args) => args is ["codegen", ..];

    public static void Configure(WolverineOptions opts, string[] args)
    {
        opts.ApplicationAssembly = typeof(WolverineSetup).Assembly;
        opts.ServiceName = "roadmap";
        // Pre-generated code only, in production and in tests: no Roslyn at start-up (seconds on 2 cores), and the same
        // code runs everywhere. `codegen write` generates it (with Roslyn, referenced in Debug builds only); a test fails
        // when the committed code is stale (WolverineCodegenTests).
        opts.CodeGeneration.TypeLoadMode = IsCodegen(args) ? TypeLoadMode.Dynamic : TypeLoadMode.Static;
        opts.Policies.AutoApplyTransactions();
        // The messages Roadmap sends itself (deadline reviews, scheduled or forwarded from decisions) are stored in the
        // inbox with the transaction that sends them, and survive a crash: another node recovers them.
        opts.Policies.UseDurableLocalQueues();
    }
}
