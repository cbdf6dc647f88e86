// The benchmark CLI:
//   dotnet run -c Release --project bench/Roadmap.Benchmarks -- NAME [--options]
// Connection string: $ConnectionStrings__Roadmap (./roadmap bench NAME sets it up).
// Progress goes to stderr, human-readable figures to stdout, and the very last stdout line is one JSON object.
// Exit codes: 0 done, 1 the benchmark failed (or no database), 2 bad command line.
using Roadmap.Benchmarks;

return await Cli.RunAsync(args);
