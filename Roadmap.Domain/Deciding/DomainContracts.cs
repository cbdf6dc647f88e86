namespace Roadmap.Domain.Deciding;

/// <summary>What every event carries besides its data: who recorded it and when (taken from the command).</summary>
public interface IDomainEvent
{
    string By { get; }

    DateTimeOffset RecordedAt { get; }
}

/// <summary>What every command carries: the time of the decision and the acting person or system. Both come from the edge.</summary>
public interface IDomainCommand
{
    DateTimeOffset Now { get; }

    string By { get; }
}
