using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Roadmap.Benchmarks;

/// <summary>
/// The real Roadmap.Api, started as a child process (<c>dotnet Roadmap.Api.dll --urls http://127.0.0.1:PORT</c>) on a
/// free loopback port against the benchmark's schema, without demo data, in Production with warnings-only logging.
/// Its output goes to our stderr prefixed "api: " (stdout stays the benchmark's). Disposing kills it by its own pid.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Queue<string> _lastLines = new();
    private readonly List<string> _lines = [];
    private readonly string _prefix;

    private ApiProcess(Process process, Uri baseAddress, string dll, string name)
    {
        _process = process;
        BaseAddress = baseAddress;
        Dll = dll;
        _prefix = name;
    }

    /// <summary>Every line the process wrote (up to 100,000), for checks on its log.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    /// <summary>kill -9: the process ends at once, with nothing flushed or stopped in order.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false); // SIGKILL on Linux
        await _process.WaitForExitAsync();
        await Console.Error.WriteLineAsync($"{_prefix}: killed (SIGKILL) pid {_process.Id}");
    }

    public Uri BaseAddress { get; }

    /// <summary>An admin key made for this run (<c>Roadmap.Api keys create</c>, as an operator makes one).</summary>
    public string AdminKey { get; private set; } = "";

    /// <summary>Sends <see cref="AdminKey"/> on every request of the client; answers the client.</summary>
    public HttpClient Authorize(HttpClient client)
    {
        client.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        return client;
    }

    public string Dll { get; }

    public int Pid => _process.Id;

    /// <summary>CPU seconds the API process has used so far (user + system).</summary>
    public double CpuSeconds
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime.TotalSeconds;
        }
    }

    /// <param name="environment">Further environment variables of the API (configuration such as Roadmap__Projections__BatchSize).</param>
    /// <param name="adminKey">An admin key made before (another node of the same schema); null: make one.</param>
    /// <param name="name">The prefix of its output lines on our stderr.</param>
    public static async Task<ApiProcess> StartAsync(
        string connectionString, string schema, CancellationToken cancellationToken, IReadOnlyDictionary<string, string>? environment = null,
        string? adminKey = null, string name = "api")
    {
        var dll = await LocateOrBuildAsync(cancellationToken);
        var port = FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, // content root: its appsettings.json
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add(baseAddress.ToString().TrimEnd('/'));
        start.Environment[Cli.ConnectionStringVariable] = connectionString;
        start.Environment["Roadmap__Schema"] = schema;
        start.Environment["Roadmap__Demo__Load"] = "false";
        start.Environment["Roadmap__Webhooks__SecretKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning";
        start.Environment.Remove("ASPNETCORE_URLS");
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[variable] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var api = new ApiProcess(process, baseAddress, dll, name);
        process.OutputDataReceived += (_, e) => api.Forward(e.Data);
        process.ErrorDataReceived += (_, e) => api.Forward(e.Data);
        if (!process.Start())
        {
            throw new BenchmarkFailedException($"could not start 'dotnet {dll}'");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Console.Error.WriteLineAsync($"{name}: started pid {process.Id} on {baseAddress} (schema {schema}): dotnet {dll}");
        try
        {
            await api.WaitUntilReadyAsync(cancellationToken);
            api.AdminKey = adminKey ?? await CreateAdminKeyAsync(dll, start, cancellationToken);
            return api;
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs the API's own key command against the same database and schema; the key is its last output line.</summary>
    private static async Task<string> CreateAdminKeyAsync(string dll, ProcessStartInfo api, CancellationToken cancellationToken)
    {
        var command = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = api.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        command.ArgumentList.Add(dll);
        foreach (var argument in new[] { "keys", "create", "--role", "admin", "--name", "roadmap-bench" })
        {
            command.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in api.Environment)
        {
            command.Environment[name] = value;
        }

        using var process = Process.Start(command) ?? throw new BenchmarkFailedException("could not run 'keys create'");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = await process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var key = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (process.ExitCode != 0 || key is null || !key.StartsWith("rmk_", StringComparison.Ordinal))
        {
            throw new BenchmarkFailedException($"'keys create' failed with code {process.ExitCode}: {errors.Trim()}");
        }

        return key;
    }

    private void Forward(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 20)
            {
                _lastLines.Dequeue();
            }
        }

        lock (_lines)
        {
            if (_lines.Count < 100_000)
            {
                _lines.Add(line);
            }
        }

        Console.Error.WriteLine($"{_prefix}: {line}");
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var started = Stopwatch.GetTimestamp();
        var last = "no answer yet";
        while (Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                string tail;
                lock (_lastLines)
                {
                    tail = string.Join(" | ", _lastLines);
                }

                throw new BenchmarkFailedException($"the API exited with code {_process.ExitCode} before it was ready ({tail})");
            }

            try
            {
                using var response = await client.GetAsync("/health/ready", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    await Console.Error.WriteLineAsync($"{_prefix}: ready after {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
                    return;
                }

                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                last = "timed out";
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new BenchmarkFailedException($"the API on {BaseAddress} was not ready after 90 s (/health/ready: {last})");
    }

    /// <summary>Kills the API process (its own pid only) and waits for it to exit.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: false);
                await Console.Error.WriteLineAsync($"{_prefix}: killed pid {_process.Id}");
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            await Console.Error.WriteLineAsync($"warning: could not stop the API process {_process.Id}: {e.Message}");
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>
    /// Roadmap.Api/bin/&lt;configuration&gt;/&lt;tfm&gt;/Roadmap.Api.dll under the repository root (the directory holding
    /// Roadmap.sln above this benchmark's binaries). The benchmark project builds it along (a ProjectReference that is
    /// not linked); if it is missing anyway, <c>dotnet build -c Release</c> builds it here.
    /// </summary>
    private static async Task<string> LocateOrBuildAsync(CancellationToken cancellationToken)
    {
        var root = RepositoryRoot();
        var configuration = typeof(ApiProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var tfm = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        var dll = Path.Combine(root, "Roadmap.Api", "bin", configuration, tfm, "Roadmap.Api.dll");
        if (File.Exists(dll))
        {
            return dll;
        }

        await Console.Error.WriteLineAsync($"api: {dll} is missing; building Roadmap.Api ({configuration})");
        var build = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[] { "build", "-c", configuration, "--nologo", "-v", "quiet", Path.Combine(root, "Roadmap.Api", "Roadmap.Api.csproj") })
        {
            build.ArgumentList.Add(argument);
        }

        using var process = Process.Start(build) ?? throw new BenchmarkFailedException("could not start 'dotnet build'");
        var output = await process.StandardOutput.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0 || !File.Exists(dll))
        {
            throw new BenchmarkFailedException($"building Roadmap.Api failed (exit {process.ExitCode}): {output.Trim()}");
        }

        return dll;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Roadmap.sln")))
            {
                return directory.FullName;
            }
        }

        throw new BenchmarkFailedException($"no Roadmap.sln above {AppContext.BaseDirectory}: cannot find Roadmap.Api");
    }

    /// <summary>A port the kernel hands out for 127.0.0.1:0, released again for the API to bind (a small race, fine here).</summary>
    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
