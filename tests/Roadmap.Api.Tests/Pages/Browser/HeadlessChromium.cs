using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Roadmap.Api.Tests.Pages.Browser;

/// <summary>
/// Debian's chromium, headless, with the DevTools protocol on a free loopback port. ./roadmap test installs the
/// package when it is missing; ROADMAP_CHROMIUM names another binary. As root chromium needs --no-sandbox.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _profile;

    private HeadlessChromium(Process process, string profile, Uri devTools)
    {
        _process = process;
        _profile = profile;
        DevTools = devTools;
    }

    /// <summary>The browser's DevTools HTTP endpoint, e.g. http://127.0.0.1:38123/.</summary>
    public Uri DevTools { get; }

    public static string? FindBinary()
    {
        if (Environment.GetEnvironmentVariable("ROADMAP_CHROMIUM") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? configured : null;
        }

        string[] candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
        return candidates.FirstOrDefault(File.Exists);
    }

    public static async Task<HeadlessChromium> StartAsync(int width, int height, CancellationToken cancellationToken)
    {
        var binary = FindBinary() ?? throw new InvalidOperationException(
            "chromium not found: ./roadmap test installs Debian's 'chromium' package when it is missing (apt-get install -y chromium), or set ROADMAP_CHROMIUM.");
        var profile = Directory.CreateTempSubdirectory("roadmap-chromium-").FullName;
        var start = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        string[] arguments =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--disable-extensions", "--disable-default-apps", "--no-first-run", "--no-default-browser-check", "--hide-scrollbars",
            "--mute-audio", $"--user-data-dir={profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            $"--window-size={width},{height}", "about:blank",
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            if (DevToolsLine().Match(e.Data) is { Success: true } match)
            {
                listening.TrySetResult(new Uri($"http://127.0.0.1:{match.Groups[1].Value}/"));
            }
        };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { output.Enqueue(e.Data); } };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"chromium exited early:\n{string.Join('\n', output)}"));
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var browser = new HeadlessChromium(process, profile, await WaitAsync(listening.Task, output, cancellationToken));
        return browser;
    }

    private static async Task<Uri> WaitAsync(Task<Uri> listening, System.Collections.Concurrent.ConcurrentQueue<string> output, CancellationToken cancellationToken)
    {
        try
        {
            return await listening.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"chromium did not open its DevTools port within 30 s:\n{string.Join('\n', output)}");
        }
    }

    /// <summary>The WebSocket URL of the first page target (the about:blank tab the browser opened).</summary>
    public async Task<Uri> PageWebSocketAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = DevTools };
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var targets = await http.GetFromJsonAsync<JsonElement>("json/list", cancellationToken);
            foreach (var target in targets.EnumerateArray())
            {
                if (target.GetProperty("type").GetString() == "page" && target.TryGetProperty("webSocketDebuggerUrl", out var url))
                {
                    return new Uri(url.GetString()!);
                }
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException("chromium opened no page target.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_profile, recursive: true);
        }
        catch (IOException)
        {
            // A helper process may still hold a file for a moment; the temp folder is cleaned by the OS later.
        }
    }

    [GeneratedRegex(@"DevTools listening on ws://[^:]+:(\d+)/")]
    private static partial Regex DevToolsLine();
}
