namespace Roadmap.EventStore.Tests.Infrastructure;

/// <summary>Waits for a condition with a deadline (never a fixed sleep); fails naming what it waited for.</summary>
public static class Waiting
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? patience = null, Func<Task<string>>? onTimeout = null)
    {
        var deadline = DateTime.UtcNow + (patience ?? Patience);
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"Gave up waiting after {patience ?? Patience}: {what}{(onTimeout is null ? "" : $" ({await onTimeout()})")}");
            }

            await Task.Delay(20);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? patience = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, patience);
}
