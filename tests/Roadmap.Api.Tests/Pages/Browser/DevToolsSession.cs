using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text.Json;

namespace Roadmap.Api.Tests.Pages.Browser;

/// <summary>A minimal Chrome DevTools protocol client over one page target: commands with replies, and events.</summary>
public sealed class DevToolsSession : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private Task? _receiving;
    private int _nextId;

    /// <summary>Every event received, in order: method and params.</summary>
    public ConcurrentQueue<(string Method, JsonElement Params)> Events { get; } = new();

    /// <summary>Raised on the receive loop for each event.</summary>
    public event Action<string, JsonElement>? EventReceived;

    public static async Task<DevToolsSession> ConnectAsync(Uri webSocket, CancellationToken cancellationToken)
    {
        var session = new DevToolsSession();
        session._socket.Options.KeepAliveInterval = TimeSpan.Zero;
        await session._socket.ConnectAsync(webSocket, cancellationToken);
        session._receiving = Task.Run(session.ReceiveLoopAsync);
        return session;
    }

    public async Task<JsonElement> SendAsync(string method, object? parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = JsonSerializer.SerializeToUtf8Bytes(new { id, method, @params = parameters ?? new { } });
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }

        var answer = await reply.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        if (answer.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"DevTools {method} failed: {error}");
        }

        return answer.GetProperty("result");
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (_socket.State == WebSocketState.Open && !_stop.IsCancellationRequested)
            {
                var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, result.Count);
                if (!result.EndOfMessage)
                {
                    continue;
                }

                using (var document = JsonDocument.Parse(message.ToArray()))
                {
                    var root = document.RootElement.Clone();
                    if (root.TryGetProperty("id", out var id) && _pending.TryRemove(id.GetInt32(), out var reply))
                    {
                        reply.TrySetResult(root);
                    }
                    else if (root.TryGetProperty("method", out var method))
                    {
                        var parameters = root.TryGetProperty("params", out var p) ? p : default;
                        Events.Enqueue((method.GetString()!, parameters));
                        EventReceived?.Invoke(method.GetString()!, parameters);
                    }
                }

                message.SetLength(0);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
        {
            // The browser went away or we stopped: replies still waiting fail below.
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException("The DevTools connection closed."));
        }
    }

    /// <summary>Console errors, uncaught exceptions and error log entries (failed loads, CSP, ...) seen so far.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        foreach (var (method, parameters) in Events)
        {
            switch (method)
            {
                case "Runtime.exceptionThrown":
                    var details = parameters.GetProperty("exceptionDetails");
                    errors.Add($"exception: {details.GetProperty("text").GetString()} {(details.TryGetProperty("exception", out var e) && e.TryGetProperty("description", out var d) ? d.GetString() : string.Empty)}");
                    break;
                case "Runtime.consoleAPICalled" when parameters.GetProperty("type").GetString() is "error" or "assert":
                    errors.Add($"console.{parameters.GetProperty("type").GetString()}: {string.Join(' ', parameters.GetProperty("args").EnumerateArray().Select(Describe))}");
                    break;
                case "Log.entryAdded" when parameters.GetProperty("entry").GetProperty("level").GetString() == "error":
                    var entry = parameters.GetProperty("entry");
                    errors.Add($"log ({entry.GetProperty("source").GetString()}): {entry.GetProperty("text").GetString()} {(entry.TryGetProperty("url", out var url) ? url.GetString() : string.Empty)}");
                    break;
            }
        }

        return errors;
    }

    private static string Describe(JsonElement remoteObject) =>
        remoteObject.TryGetProperty("value", out var value) ? value.ToString()
        : remoteObject.TryGetProperty("description", out var description) ? description.GetString() ?? string.Empty
        : remoteObject.GetProperty("type").GetString() ?? string.Empty;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or WebSocketException)
            {
                // Closing is best effort; the browser is killed right after.
            }
        }

        if (_receiving is not null)
        {
            await _receiving.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _socket.Dispose();
        _stop.Dispose();
        _sendLock.Dispose();
    }
}
