using JasperFx.CodeGeneration;
using JasperFx.CodeGeneration.Model;
using Microsoft.Extensions.DependencyInjection;

namespace Roadmap.Api.Tests;

/// <summary>
/// Wolverine's handler code is generated ahead of time (<c>./roadmap codegen</c>) and loaded statically, in production and
/// in these tests. Nothing in Wolverine notices when the committed code no longer matches the handlers: this test does.
/// </summary>
public sealed class WolverineCodegenTests(RoadmapApiFactory factory) : IClassFixture<RoadmapApiFactory>
{
    [Fact]
    public void The_committed_generated_code_is_what_the_handlers_generate_today()
    {
        var committed = Path.Combine(RepositoryRoot(), "Roadmap.Api", "Internal", "Generated");
        var fresh = Directory.CreateTempSubdirectory("roadmap-codegen-");
        try
        {
            var services = factory.Services;
            var collections = services.GetServices<ICodeFileCollection>().ToArray();
            Assert.NotEmpty(collections);
            var original = collections.Select(c => c.Rules.GeneratedCodeOutputPath).ToArray();
            foreach (var collection in collections)
            {
                collection.Rules.GeneratedCodeOutputPath = fresh.FullName;
            }

            try
            {
                new DynamicCodeBuilder(services, collections) { ServiceVariableSource = services.GetService<IServiceVariableSource>() }
                    .WriteGeneratedCode(_ => { });
            }
            finally
            {
                for (var i = 0; i < collections.Length; i++)
                {
                    collections[i].Rules.GeneratedCodeOutputPath = original[i];
                }
            }

            var expected = Files(fresh.FullName);
            var actual = Files(committed);
            Assert.NotEmpty(expected);
            Assert.True(expected.Keys.Order().SequenceEqual(actual.Keys.Order()),
                $"Generated files differ: run ./roadmap codegen. Expected {string.Join(", ", expected.Keys.Order())}; committed {string.Join(", ", actual.Keys.Order())}.");
            foreach (var (file, text) in expected)
            {
                Assert.True(text == actual[file], $"{file} is stale: run ./roadmap codegen and commit Roadmap.Api/Internal/Generated.");
            }
        }
        finally
        {
            fresh.Delete(recursive: true);
        }
    }

    private static Dictionary<string, string> Files(string root) => Directory.Exists(root)
        ? Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(root, f).Replace('\\', '/'), f => File.ReadAllText(f).ReplaceLineEndings("\n"))
        : [];

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Roadmap.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Roadmap.sln above {AppContext.BaseDirectory}.");
    }
}
