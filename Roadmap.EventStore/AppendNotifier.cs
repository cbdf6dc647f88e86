using Npgsql;

namespace Roadmap.EventStore;

/// <summary>
/// Sends NOTIFY after appends have committed, coalescing bursts: while one NOTIFY is on its way, any number of
/// further appends cause exactly one more. Each signal is followed by a NOTIFY sent after the signal, so a
/// listener woken by it can read the signalling append. Under load it sends at most one NOTIFY per
/// <see cref="MinimumInterval"/>, so the notifications cost next to nothing however fast appends come.
/// A lost NOTIFY only delays readers until their poll.
/// </summary>
internal sealed class AppendNotifier(NpgsqlDataSource dataSource, string channel)
{
    private const int Idle = 0;
    private const int Sending = 1;
    private const int SendingWithOneMore = 2;

    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(10);

    private int _state;

    public void Signal()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (state == SendingWithOneMore)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _state, state + 1, state) == state)
            {
                if (state == Idle)
                {
                    _ = Task.Run(SendAsync);
                }

                return;
            }
        }
    }

    private async Task SendAsync()
    {
        do
        {
            try
            {
                await using var command = dataSource.CreateCommand("select pg_notify($1, '')");
                command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = channel });
                await command.ExecuteNonQueryAsync();
            }
            catch (Exception e) when (e is NpgsqlException or ObjectDisposedException or InvalidOperationException)
            {
                // Readers poll as well; a notification that could not be sent only delays them.
            }

            if (Volatile.Read(ref _state) == SendingWithOneMore)
            {
                await Task.Delay(MinimumInterval);
            }
        }
        while (Interlocked.Decrement(ref _state) != Idle);
    }
}
