using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ical.Net;
using Xunit.Abstractions;

namespace Roadmap.Api.Tests.Pages.Browser;

/// <summary>The pages and the feed over real HTTP, the mayor's page in a real headless chromium.</summary>
public sealed partial class MayorPageBrowserTests(PagesServerFactory factory, ITestOutputHelper output) : IClassFixture<PagesServerFactory>
{
    private const int Width = 1600;
    private const int Height = 1100;

    [Fact]
    public async Task The_mayors_page_renders_in_chromium_without_console_errors_with_every_lane_and_the_decisions()
    {
        var procedures = await factory.SeedAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var token = timeout.Token;
        // Opened as a mayor's office opens it: with its link token in the URL (a browser sends no API key).
        var url = new Uri(factory.BaseAddress, $"/gemeinden/{PagesServerFactory.Ags}/roadmap?heute={PagesServerFactory.Today}&token={factory.LinkToken}");

        await using var browser = await HeadlessChromium.StartAsync(Width, Height, token);
        await using var page = await DevToolsSession.ConnectAsync(await browser.PageWebSocketAsync(token), token);
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.EventReceived += (method, _) => { if (method == "Page.loadEventFired") { loaded.TrySetResult(); } };
        await page.SendAsync("Runtime.enable", null, token);
        await page.SendAsync("Log.enable", null, token);
        await page.SendAsync("Page.enable", null, token);
        await page.SendAsync("Emulation.setDeviceMetricsOverride", new { width = Width, height = Height, deviceScaleFactor = 1, mobile = false }, token);

        var navigation = await page.SendAsync("Page.navigate", new { url = url.ToString() }, token);
        Assert.False(navigation.TryGetProperty("errorText", out var navigationError), $"navigation failed: {navigationError}");
        await loaded.Task.WaitAsync(token);
        await Task.Delay(500, token); // late console messages and log entries arrive after the load event

        var dom = await EvaluateAsync(page, """
            ({
              title: document.title,
              lanes: Array.from(document.querySelectorAll('svg.timeline g.lane[data-procedure-id]'), g => g.getAttribute('data-procedure-id')),
              visibleLanes: Array.from(document.querySelectorAll('svg.timeline g.lane'), g => g.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0).length,
              decisionsHeading: document.getElementById('h-decisions')?.textContent ?? null,
              decisions: Array.from(document.querySelectorAll('#decisions li'), li => li.textContent),
              stand: document.getElementById('stand')?.textContent ?? null,
              lang: document.documentElement.lang,
              scripts: document.scripts.length
            })
            """, token);

        var screenshot = await ScreenshotAsync(page, token);
        var pdf = await PrintAsync(page, token);
        var printPreview = await PrintPreviewAsync(page, token);
        output.WriteLine($"screenshot: {screenshot}");
        output.WriteLine($"print (A4 landscape): {pdf}");
        output.WriteLine($"print preview: {printPreview}");

        Assert.Empty(page.Errors());
        Assert.Equal(procedures.Select(p => p.ToString()).Order(), dom.GetProperty("lanes").EnumerateArray().Select(l => l.GetString()!).Order());
        Assert.Equal(procedures.Count, dom.GetProperty("visibleLanes").GetInt32());
        Assert.Equal("Entscheidungen, die jetzt anstehen", dom.GetProperty("decisionsHeading").GetString());
        Assert.NotEmpty(dom.GetProperty("decisions").EnumerateArray()); // the residents' registration ends support in 2027: its procurement is late
        Assert.Matches(@"^Stand: \d{2}\.\d{2}\.\d{4}$", dom.GetProperty("stand").GetString());
        Assert.Equal("de", dom.GetProperty("lang").GetString());
        Assert.Equal(0, dom.GetProperty("scripts").GetInt32());
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is suspiciously small");
        Assert.Equal(1, PdfPages().Count(File.ReadAllText(pdf, System.Text.Encoding.Latin1)));
    }

    /// <summary>
    /// Issue 14: 20 procedures (nine of them with a decision due) on one A4 landscape sheet with condensed lanes; 34 on
    /// two timeline sheets of at most 20 lanes, the second with the header repeated, the decisions and notes after them.
    /// </summary>
    [Theory]
    [InlineData("09181130", "Hurlach", 20)]
    [InlineData("09181131", "Igling", 34)]
    public async Task The_mayors_page_prints_on_one_a4_sheet_up_to_twenty_procedures_and_paginates_beyond(string ags, string name, int count)
    {
        var sheets = (count + 19) / 20;
        await factory.SeedManyAsync(ags, name, count);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var token = timeout.Token;
        var url = new Uri(factory.BaseAddress, $"/gemeinden/{ags}/roadmap?heute={PagesServerFactory.Today}&token={factory.LinkTokenFor(ags)}");
        await using var browser = await HeadlessChromium.StartAsync(Width, Height, token);
        await using var page = await DevToolsSession.ConnectAsync(await browser.PageWebSocketAsync(token), token);
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.EventReceived += (method, _) => { if (method == "Page.loadEventFired") { loaded.TrySetResult(); } };
        await page.SendAsync("Page.enable", null, token);
        await page.SendAsync("Page.navigate", new { url = url.ToString() }, token);
        await loaded.Task.WaitAsync(token);

        var pdf = await page.SendAsync("Page.printToPDF", new { preferCSSPageSize = true, printBackground = true }, token);
        var path = await WriteAsync($"mayor-page-{ags}-{count}.pdf", pdf.GetProperty("data").GetString()!, token);
        output.WriteLine($"print of {count} procedures: {path}; preview: {await PrintPreviewAsync(page, token, $"{ags}-{count}")}");
        await page.SendAsync("Emulation.setEmulatedMedia", new { media = "print" }, token);
        var printed = await EvaluateAsync(page, """
            ({
              lanes: document.querySelectorAll('svg.timeline-print g.lane[data-procedure-id]').length,
              headers: Array.from(document.querySelectorAll('.sheet-header'), h => h.textContent)
            })
            """, token);

        var pages = PdfPages().Count(File.ReadAllText(path, System.Text.Encoding.Latin1));
        if (count <= 20)
        {
            Assert.Equal(1, pages);
        }
        else
        {
            Assert.InRange(pages, sheets, sheets + 1); // a long list of decisions and notes may continue on one more sheet
        }

        Assert.Equal(count, printed.GetProperty("lanes").GetInt32()); // every procedure printed, once
        Assert.Equal(sheets - 1, printed.GetProperty("headers").GetArrayLength()); // every further sheet repeats the header
        Assert.All(printed.GetProperty("headers").EnumerateArray(), h => Assert.Contains(name, h.GetString()));
    }

    /// <summary>Issue 14: axe-core (WCAG 2.1 A and AA, best practices) finds nothing on the county overview and a mayor's page.</summary>
    [Theory]
    [InlineData("/gemeinden")]
    [InlineData("/gemeinden/" + PagesServerFactory.Ags + "/roadmap")]
    public async Task Axe_finds_no_accessibility_violations(string path)
    {
        await factory.SeedAsync();
        var axe = AxeScript();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var token = timeout.Token;
        // The mayor's page with its link token, as a mayor's office opens it; the county overview with a county-wide key in
        // the header (DevTools sets it; no link token covers a county).
        var url = new Uri(factory.BaseAddress, path == "/gemeinden"
            ? $"{path}?heute={PagesServerFactory.Today}"
            : $"{path}?heute={PagesServerFactory.Today}&token={factory.LinkToken}");
        await using var browser = await HeadlessChromium.StartAsync(Width, Height, token);
        await using var page = await DevToolsSession.ConnectAsync(await browser.PageWebSocketAsync(token), token);
        var loaded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        page.EventReceived += (method, _) => { if (method == "Page.loadEventFired") { loaded.TrySetResult(); } };
        await page.SendAsync("Page.enable", null, token);
        if (path == "/gemeinden")
        {
            await page.SendAsync("Network.enable", null, token);
            await page.SendAsync("Network.setExtraHTTPHeaders", new { headers = new Dictionary<string, string> { ["X-Api-Key"] = factory.AdminKey } }, token);
        }

        await page.SendAsync("Page.navigate", new { url = url.ToString() }, token);
        await loaded.Task.WaitAsync(token);

        // The page allows no scripts of its own (CSP); DevTools evaluates outside it.
        await page.SendAsync("Runtime.evaluate", new { expression = axe }, token);
        var result = await page.SendAsync("Runtime.evaluate", new
        {
            expression = """
                axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
                  .then(r => JSON.stringify(r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }))))
                """,
            awaitPromise = true,
            returnByValue = true,
        }, token);
        var violations = result.GetProperty("result").GetProperty("value").GetString()!;
        output.WriteLine(violations);

        Assert.Equal("[]", violations);
    }

    /// <summary>axe-core's script, which ./roadmap test installs with npm (ROADMAP_AXE names another copy).</summary>
    private static string AxeScript()
    {
        var path = Environment.GetEnvironmentVariable("ROADMAP_AXE") is { Length: > 0 } configured ? configured
            : Path.Combine(RepositoryRoot(), ".data", "node", "node_modules", "axe-core", "axe.min.js");
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new InvalidOperationException($"axe-core not found at {path}: ./roadmap test installs it (npm install --prefix .data/node axe-core@4), or set ROADMAP_AXE.");
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

        throw new InvalidOperationException($"no Roadmap.sln above {AppContext.BaseDirectory}");
    }

    [Fact]
    public async Task The_calendar_feed_parses_and_its_uids_are_stable_across_two_requests()
    {
        var procedures = await factory.SeedAsync();
        using var client = factory.CreateKestrelClient();
        var url = $"/municipalities/{PagesServerFactory.Ags}/roadmap.ics?today={PagesServerFactory.Today}";

        var first = await client.GetAsync(url);
        var second = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/calendar", first.Content.Headers.ContentType?.MediaType);
        var (one, two) = (await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(one, two);
        var events = Calendar.Load(one)!.Events;
        var uids = events.Select(e => e.Uid!).ToList();
        Assert.Equal(uids, Calendar.Load(two)!.Events.Select(e => e.Uid!).ToList());
        Assert.Equal(uids.Count, uids.Distinct().Count());
        Assert.Equal(4 * (procedures.Count - 1), uids.Count); // the e-file's end of support is to be announced: no milestones yet
        Assert.Contains($"{procedures[0]}-end-of-support@roadmap", uids);
    }

    [Fact]
    public async Task The_county_overview_links_every_municipality_and_an_unknown_one_is_a_german_404_page()
    {
        await factory.SeedAsync();
        using var client = factory.CreateKestrelClient();

        var overview = await client.GetAsync($"/gemeinden?heute={PagesServerFactory.Today}");
        var unknown = await client.GetAsync("/gemeinden/09181999/roadmap");
        var badDate = await client.GetAsync($"/gemeinden/{PagesServerFactory.Ags}/roadmap?stand=12.05.2026");

        Assert.Equal(HttpStatusCode.OK, overview.StatusCode);
        var html = await overview.Content.ReadAsStringAsync();
        Assert.Contains($"<a href=\"/gemeinden/{PagesServerFactory.Ags}/roadmap\">Kaufering</a>", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/gemeinden/09181132/roadmap\">Landsberg am Lech</a>", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("text/html", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Gemeinde nicht gefunden", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badDate.StatusCode);
    }

    private static async Task<JsonElement> EvaluateAsync(DevToolsSession page, string expression, CancellationToken token)
    {
        var result = await page.SendAsync("Runtime.evaluate", new { expression, returnByValue = true }, token);
        Assert.False(result.TryGetProperty("exceptionDetails", out var exception), $"evaluation failed: {exception}");
        return result.GetProperty("result").GetProperty("value");
    }

    /// <summary>The whole page as PNG in the test output folder (bin/.../screenshots), for a human to look at.</summary>
    private static async Task<string> ScreenshotAsync(DevToolsSession page, CancellationToken token)
    {
        var metrics = await page.SendAsync("Page.getLayoutMetrics", null, token);
        var height = Math.Ceiling(metrics.GetProperty("cssContentSize").GetProperty("height").GetDouble());
        var shot = await page.SendAsync("Page.captureScreenshot",
            new { format = "png", captureBeyondViewport = true, clip = new { x = 0, y = 0, width = Width, height, scale = 1 } }, token);
        return await WriteAsync($"mayor-page-{PagesServerFactory.Ags}.png", shot.GetProperty("data").GetString()!, token);
    }

    /// <summary>What the print dialog would produce with the page's own @page rule.</summary>
    private static async Task<string> PrintAsync(DevToolsSession page, CancellationToken token)
    {
        var pdf = await page.SendAsync("Page.printToPDF", new { preferCSSPageSize = true, printBackground = true }, token);
        return await WriteAsync($"mayor-page-{PagesServerFactory.Ags}.pdf", pdf.GetProperty("data").GetString()!, token);
    }

    /// <summary>
    /// The print stylesheet on the printable area of A4 landscape with 12 mm margins (273 × 186 mm, 1032 × 703 CSS
    /// pixels): a picture of what the PDF holds, for reviewers without a PDF viewer.
    /// </summary>
    private static async Task<string> PrintPreviewAsync(DevToolsSession page, CancellationToken token, string? name = null)
    {
        await page.SendAsync("Emulation.setEmulatedMedia", new { media = "print" }, token);
        await page.SendAsync("Emulation.setDeviceMetricsOverride", new { width = 1032, height = 703, deviceScaleFactor = 1, mobile = false }, token);
        var metrics = await page.SendAsync("Page.getLayoutMetrics", null, token);
        var height = Math.Ceiling(metrics.GetProperty("cssContentSize").GetProperty("height").GetDouble());
        var shot = await page.SendAsync("Page.captureScreenshot",
            new { format = "png", captureBeyondViewport = true, clip = new { x = 0, y = 0, width = 1032, height, scale = 1 } }, token);
        return await WriteAsync($"mayor-page-{name ?? PagesServerFactory.Ags}-print.png", shot.GetProperty("data").GetString()!, token);
    }

    private static async Task<string> WriteAsync(string name, string base64, CancellationToken token)
    {
        var folder = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        var path = Path.Combine(folder, name);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(base64), token);
        return path;
    }

    [GeneratedRegex(@"/Type\s*/Page(?![a-zA-Z])")]
    private static partial Regex PdfPages();
}
